use super::Plugin;
use custode_sdk::config::Config;
use custode_sdk::types::Identity;

const SAMPLE: &[u8] = include_bytes!("../sample.csv");

/// The addresses read and the rows refused, feeding `input` in chunks of `size` bytes.
fn run(input: &[u8], size: usize, settings: &[(&str, &str)]) -> (Vec<(u64, String)>, Vec<u64>) {
    let mut plugin = Plugin::with_config(&Config::from_pairs(settings)).unwrap();
    let mut results: Vec<_> = input.chunks(size).map(|c| plugin.push(c).unwrap()).collect();
    results.push(plugin.finish().unwrap());
    let mut read = vec![];
    let mut refused = vec![];
    for result in results {
        for record in result.records {
            let Identity::Email(address) = &record.identities[0] else {
                panic!("not an email identity: {:?}", record.identities)
            };
            read.push((record.row, address.clone()));
        }
        refused.extend(result.rejected.iter().map(|r| r.row));
    }
    (read, refused)
}

#[test]
fn reads_the_sample_whatever_the_chunk_size() {
    let whole = run(SAMPLE, SAMPLE.len(), &[]);
    assert_eq!(
        whole.0,
        vec![(2, "anna.rossi@example.com".to_string()), (4, "luca@example.com".to_string())]
    );
    assert_eq!(whole.1, vec![5], "the row without an address is refused");
    for size in 1..16 {
        assert_eq!(run(SAMPLE, size, &[]), whole, "chunks of {size} bytes");
    }
}

#[test]
fn a_missing_column_is_named_with_the_fix() {
    let mut plugin = Plugin::with_config(&Config::from_pairs(&[("column", "mail")])).unwrap();
    let error = plugin.push(b"email,name\na@example.com,A\n").unwrap_err();
    assert_eq!(error.row, Some(1));
    assert!(error.message.contains("no column `mail`"), "{}", error.message);
    assert!(error.message.contains("set `column`"), "{}", error.message);
}
