//! The child side of resume extraction as a program of its own, for this crate's tests: the
//! same [`viva_resumes::sandbox::run`] that `viva sandbox extract` calls.

fn main() -> std::process::ExitCode {
    viva_resumes::sandbox::run(std::env::args_os().skip(1))
}
