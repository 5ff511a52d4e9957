//! The `viva` binary. Everything it does lives in the `viva-server` crate.

fn main() -> std::process::ExitCode {
    viva_server::main()
}
