fn main() {
    if let Err(error) = custode::cli::main() {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
