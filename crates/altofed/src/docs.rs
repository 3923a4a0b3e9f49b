//! Documentation generated from the command line's own definitions, so it
//! cannot drift from it: man pages (clap_mangen) and shell completions
//! (clap_complete), for packagers (`altofed manpages --out debian/man`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManpagesArgs};

/// Writes `altofed.1` and `altofed-<subcommand>.1` for every subcommand.
pub fn manpages(args: &ManpagesArgs) -> Result<ExitCode> {
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let command = Cli::command();
    write_page(out, "altofed.1", &command)?;
    for sub in command.get_subcommands() {
        // Named like git's pages (`altofed-serve(1)`); the synopsis shows
        // the command as typed (`altofed serve ...`).
        let name = format!("altofed-{}", sub.get_name());
        let typed = format!("altofed {}", sub.get_name());
        let page = sub.clone().display_name(&name).bin_name(typed);
        write_page(out, &format!("{name}.1"), &page)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_page(dir: &Path, file: &str, command: &clap::Command) -> Result<()> {
    let mut text = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut text)?;
    let path = dir.join(file);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}

/// Prints the completion script for `args.shell` on standard output.
pub fn completions(args: &CompletionsArgs) -> Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "altofed", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
