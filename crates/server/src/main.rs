//! The `viva` binary. Everything it does lives in the `viva-server` crate.

/// mimalloc rather than the system allocator: model inference allocates and frees tensors of
/// megabytes per layer, which glibc hands back to the kernel and faults in again every time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    viva_server::main()
}
