//! The `zhengwu` binary: see [`zhengwu::cli`] for the subcommands.

fn main() -> std::process::ExitCode {
    zhengwu::cli::run()
}
