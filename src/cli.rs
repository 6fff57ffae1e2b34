//! The `zhengwu` command line: `serve`, `demo`, `migrate`, `users add-admin`, `users import`.
//! Every subcommand takes `--data-dir` and `--database-url`, so the CLI works on the same store
//! as a running server.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::http::{self, AppState};
use crate::i18n::Lang;
use crate::storage::Db;
use crate::{accounts, auth, demo, org};

#[derive(Parser)]
#[command(
    name = "zhengwu",
    version,
    about = "zhengwu (政务): Internet+ government services platform"
)]
struct Cli {
    /// Directory for the SQLite file, the config file and uploads.
    #[arg(long, global = true, env = "ZHENGWU_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `sqlite://…` or `postgres://…`; defaults to SQLite in the data dir.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the platform.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Create (or reopen) a demo district and serve it.
    Demo {
        #[arg(long)]
        listen: Option<String>,
        /// Password of the demo log-ins (set on every start when given).
        #[arg(long)]
        demo_password: Option<String>,
    },
    /// Apply schema migrations and exit.
    Migrate,
    /// Account administration.
    Users {
        #[command(subcommand)]
        cmd: UsersCmd,
    },
    /// The operations desk's ticket ledger.
    Tickets {
        #[command(subcommand)]
        cmd: TicketsCmd,
    },
    /// Back up the whole store to FILE (a zip archive), while the platform serves. The data key
    /// is not in it: keep vault.key safe, apart from the backups.
    Backup { file: PathBuf },
    /// Restore FILE into an empty data dir (and, on PostgreSQL, an empty database). The data dir
    /// must hold the backup's vault.key (or ZHENGWU_DATA_KEY be set to it).
    Restore { file: PathBuf },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Performance projects (绩效管理).
    Performance {
        #[command(subcommand)]
        cmd: PerformanceCmd,
    },
}

#[derive(Subcommand)]
enum PerformanceCmd {
    /// Create or replace a project-year from its JSON document (zhengwu.performance/1) or its
    /// workbook (XLSX, as exported); nothing is written if any field is bad.
    Import {
        file: PathBuf,
        /// Check and report only.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Walks the audit trail's hash chain and checks the daily anchors; names the first entry
    /// that breaks it (exit status 1), or prints the head.
    Verify,
}

#[derive(Subcommand)]
enum TicketsCmd {
    /// Import a ticket ledger (CSV or XLSX); nothing is written if any row is bad.
    Import {
        file: PathBuf,
        /// Check and report only.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the ledger to FILE (`.csv`, else XLSX), optionally for tickets opened in a period.
    Export {
        file: PathBuf,
        /// First day, `YYYY-MM-DD` (China time).
        #[arg(long)]
        from: Option<String>,
        /// Last day, inclusive.
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum UsersCmd {
    /// Create a bureau administrator at the root unit (creating the root on an empty store).
    AddAdmin {
        username: String,
        /// Display name.
        #[arg(long, default_value = "管理员")]
        name: String,
        /// Password; read from standard input when absent.
        #[arg(long)]
        password: Option<String>,
    },
    /// Import accounts from a CSV or XLSX file; nothing is written if any row is bad.
    Import {
        file: PathBuf,
        /// Check and report only.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("ZHENGWU_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("ZHENGWU_LOG_FORMAT").as_deref() == Ok("json") {
        b.json().try_init()
    } else {
        b.compact().try_init()
    };
}

async fn open(cli: &Cli, listen: Option<String>) -> anyhow::Result<(Config, Db)> {
    let config = Config::load(&Overrides {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        listen,
    })?;
    let db = Db::open(&config.database_url).await?;
    // The algorithms: digests, the vault's cipher, the signature of departments' first keys.
    crate::crypto::configure(config.hash);
    crate::vault::use_sm4(config.vault_sm4);
    crate::licence::keys::configure(config.licence_algorithm);
    // The key that seals ID numbers at rest (never made anew for a store sealed under one), and
    // any stored before sealing existed.
    if !crate::vault::key_present(&config.data_dir) && crate::vault::store_names_key(&db).await? {
        anyhow::bail!(
            "no data key in {} for a store whose ID numbers are sealed: put its vault.key back \
             (or set ZHENGWU_DATA_KEY) / 找不到本库的数据密钥 vault.key",
            config.data_dir.display()
        );
    }
    crate::vault::init(&config.data_dir)?;
    crate::vault::check_store_key(&db).await?;
    crate::vault::seal_existing(&db).await?;
    crate::vault::seal_existing_forms(&db).await?;
    crate::licence::repo::reissue_old(&db).await?;
    crate::audit::chain::chain_existing(&db).await?;
    Ok((config, db))
}

async fn serve(config: Config, db: Db, banner: Option<String>) -> anyhow::Result<()> {
    let filled = crate::approval::engine::backfill_candidates(&db).await?;
    if filled > 0 {
        tracing::info!(tasks = filled, "task candidates filled in");
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    // Whoever started us may have stopped reading stdout; that must not stop the server.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "zhengwu listening on http://{addr}/");
    if let Some(b) = banner {
        let _ = write!(out, "{b}");
    }
    let _ = out.flush();
    tracing::info!(%addr, backend = ?db.backend, "serving");
    let state = AppState::new(db.clone(), &config);
    http::serve(state, listener).await?;
    Ok(())
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.cmd {
        Cmd::Serve { listen } => {
            let (config, db) = open(&cli, listen.clone()).await?;
            serve(config, db, None).await?;
        }
        Cmd::Demo {
            listen,
            demo_password,
        } => {
            let (config, db) = open(&cli, listen.clone()).await?;
            let logins = demo::ensure(&db, demo_password.as_deref()).await?;
            serve(config, db, Some(logins)).await?;
        }
        Cmd::Migrate => {
            open(&cli, None).await?;
            println!("migrations applied");
        }
        Cmd::Users {
            cmd:
                UsersCmd::AddAdmin {
                    username,
                    name,
                    password,
                },
        } => {
            let (_, db) = open(&cli, None).await?;
            let password = match password {
                Some(p) => p.clone(),
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s)?;
                    s.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            if org::list(&db).await?.is_empty() {
                org::create(
                    &db,
                    &auth::Principal::system(),
                    org::NewUnit {
                        code: "ROOT".into(),
                        name: "本区".into(),
                        kind: "district".into(),
                        parent_id: None,
                    },
                )
                .await?;
            }
            match accounts::add_admin(&db, username, name, &password).await {
                Ok(id) => println!("created bureau admin {username} (id {id})"),
                Err(e) => {
                    eprintln!("{}", describe(&e));
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Cmd::Users {
            cmd: UsersCmd::Import { file, dry_run },
        } => {
            let (_, db) = open(&cli, None).await?;
            let bytes = std::fs::read(file)?;
            let r = accounts::import(&db, &auth::Principal::system(), &bytes, *dry_run).await?;
            for e in &r.errors {
                eprintln!(
                    "row {}: [{}] {} / {}",
                    e.row, e.column, e.message_zh, e.message_en
                );
            }
            for (u, p) in &r.generated_passwords {
                println!("initial password for {u}: {p}");
            }
            if !r.errors.is_empty() {
                eprintln!(
                    "{} bad rows; nothing imported / 有 {} 行错误，未导入任何账号",
                    r.errors.len(),
                    r.errors.len()
                );
                return Ok(ExitCode::from(2));
            }
            if *dry_run {
                println!(
                    "dry run: {} rows OK, nothing written / 试导入：{} 行无误，未写入",
                    r.rows, r.rows
                );
            } else {
                println!(
                    "imported {} accounts / 已导入 {} 个账号",
                    r.created, r.created
                );
            }
        }
        Cmd::Tickets {
            cmd: TicketsCmd::Import { file, dry_run },
        } => {
            let (_, db) = open(&cli, None).await?;
            let bytes = std::fs::read(file)?;
            let r = crate::ops::exchange::import(&db, &auth::Principal::system(), &bytes, *dry_run)
                .await?;
            for e in &r.errors {
                eprintln!(
                    "row {}: [{}] {} / {}",
                    e.row, e.column, e.message_zh, e.message_en
                );
            }
            if !r.errors.is_empty() {
                eprintln!(
                    "{} problems; nothing imported / 有 {} 处错误，未导入任何工单",
                    r.errors.len(),
                    r.errors.len()
                );
                return Ok(ExitCode::from(2));
            }
            if *dry_run {
                println!(
                    "{} rows checked, all good / 已检查 {} 行，全部无误",
                    r.rows, r.rows
                );
            } else {
                println!(
                    "imported {} tickets / 已导入 {} 张工单",
                    r.imported, r.imported
                );
            }
        }
        Cmd::Performance {
            cmd: PerformanceCmd::Import { file, dry_run },
        } => {
            let (_, db) = open(&cli, None).await?;
            let bytes = std::fs::read(file)?;
            let checked = crate::performance::exchange::read_any(&bytes).and_then(|d| {
                crate::performance::document::check(&d)
                    .map(|_| d)
                    .map_err(crate::error::Error::Validation)
            });
            let d = match checked {
                Ok(d) => d,
                Err(crate::error::Error::Validation(errs)) => {
                    for e in &errs {
                        eprintln!(
                            "{}: {} / {}",
                            e.field,
                            e.message(crate::i18n::Lang::Zh),
                            e.message(crate::i18n::Lang::En)
                        );
                    }
                    eprintln!(
                        "{} problems; nothing imported / 有 {} 处错误，未导入",
                        errs.len(),
                        errs.len()
                    );
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            };
            crate::performance::repo::import_as(&db, &auth::Principal::system(), &d, *dry_run)
                .await?;
            if *dry_run {
                println!("{} {}: all good / 全部无误", d.code, d.year);
            } else {
                println!("imported {} {} / 已导入", d.code, d.year);
            }
        }
        Cmd::Tickets {
            cmd: TicketsCmd::Export { file, from, to },
        } => {
            let (_, db) = open(&cli, None).await?;
            let system = auth::Principal::system();
            let tickets =
                crate::ops::exchange::export_rows(&db, &system, from.as_deref(), to.as_deref())
                    .await?;
            let units = crate::org::list(&db).await?;
            let csv = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let body = if csv {
                crate::ops::exchange::to_csv(&units, &tickets)?
            } else {
                crate::ops::exchange::to_xlsx(&units, &tickets)?
            };
            std::fs::write(file, body)?;
            println!(
                "exported {} tickets to {} / 已导出 {} 张工单",
                tickets.len(),
                file.display(),
                tickets.len()
            );
        }
        Cmd::Backup { file } => {
            let config = with_data_key(&cli, "nothing to back up here")?;
            let m = crate::backup::backup(&config.database_url, file).await?;
            println!(
                "backed up to {}: {} applications, {} licences, {} tickets, {} audit entries (data key {})\n\
                 已备份。请另行妥善保管数据密钥 vault.key，备份文件中不含该密钥。",
                file.display(),
                m.applications,
                m.licences,
                m.tickets,
                m.audit_entries,
                m.data_key
            );
        }
        Cmd::Restore { file } => {
            let config = with_data_key(
                &cli,
                "put the backup's vault.key there (or set ZHENGWU_DATA_KEY) first / \
                 请先放入备份时的数据密钥 vault.key",
            )?;
            let m = crate::backup::restore(&config.database_url, file).await?;
            println!(
                "restored {}: {} applications, {} licences, {} tickets, {} audit entries\n已恢复。",
                file.display(),
                m.applications,
                m.licences,
                m.tickets,
                m.audit_entries
            );
        }
        Cmd::Audit {
            cmd: AuditCmd::Verify,
        } => {
            let (_, db) = open(&cli, None).await?;
            let r = crate::audit::chain::verify(&db).await?;
            if let Some((id, why)) = &r.broken {
                println!(
                    "audit trail BROKEN at entry {id}: {why} ({} entries before it check out)\n\
                     审计日志在第 {id} 条处断裂：{why}",
                    r.entries
                );
                return Ok(ExitCode::FAILURE);
            }
            if let Some(day) = crate::audit::chain::check_anchors(&db).await? {
                println!(
                    "audit trail does not match the anchor of {day} (entries removed or rewritten since)\n\
                     审计日志与 {day} 的锚点不符"
                );
                return Ok(ExitCode::FAILURE);
            }
            match &r.head {
                Some((id, hash)) => println!(
                    "audit trail intact: {} entries, head {id} {hash}\n审计日志完整：共 {} 条",
                    r.entries, r.entries
                ),
                None => println!("audit trail empty / 审计日志为空"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The configuration, with the data key in place (never made anew here: backup and restore act
/// on a store's existing key); `missing` says what to do without one.
fn with_data_key(cli: &Cli, missing: &str) -> anyhow::Result<Config> {
    let config = Config::load(&Overrides {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        listen: None,
    })?;
    if !crate::vault::key_present(&config.data_dir) {
        anyhow::bail!("no data key in {}: {missing}", config.data_dir.display());
    }
    crate::vault::init(&config.data_dir)?;
    Ok(config)
}

fn describe(e: &crate::Error) -> String {
    match e {
        crate::Error::Validation(errs) => errs
            .iter()
            .map(|f| {
                format!(
                    "{}: {} / {}",
                    f.field,
                    f.message(Lang::Zh),
                    f.message(Lang::En)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("{} / {}", other.message(Lang::Zh), other.message(Lang::En)),
    }
}
