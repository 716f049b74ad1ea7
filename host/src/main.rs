/// mimalloc instead of glibc malloc: imports allocate and free many small strings per record (see
/// docs/ARCHITECTURE.md, decisions).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    match custode::cli::main() {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(2);
        }
    }
}
