//! The `zhengwu` binary: see [`zhengwu::cli`] for the subcommands.

/// mimalloc: the server allocates many small short-lived buffers on two or more threads at once,
/// where glibc's allocator spent about a tenth of the time under load (docs/bench.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    zhengwu::cli::run()
}
