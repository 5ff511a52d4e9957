//! The subcommands.

mod accounts;
pub(crate) mod ai;
mod resume;
mod serve;

use anyhow::Context;

use crate::cli::{AdminCommand, AiCommand, Cli, Command};
use crate::config::{Config, redact_url};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::ExportSchema { out } => {
            let sdl = viva_api::sdl();
            match out {
                Some(path) => {
                    std::fs::write(&path, sdl).with_context(|| format!("cannot write {}", path.display()))?
                }
                None => {
                    use std::io::Write as _;
                    std::io::stdout().write_all(sdl.as_bytes()).context("cannot write the schema")?;
                }
            }
            Ok(())
        }
        Command::Worker => {
            let config = Config::load(cli.config.as_deref())?;
            crate::telemetry::init(config.log_json);
            serve::work(config).await
        }
        Command::Sandbox { .. } => {
            anyhow::bail!("the sandbox runs before the async runtime starts (see viva_server::main)")
        }
        Command::Ai { command } => {
            let settings = crate::config::Settings::load(cli.config.as_deref())?;
            crate::telemetry::init(settings.log_json);
            let model_dir = settings.model_dir.clone();
            let config = settings.ai.validate().context("configuration error")?;
            match command {
                AiCommand::Embed => ai::embed(&config, model_dir.as_deref()).await,
                AiCommand::Providers => ai::providers(&config, model_dir.as_deref()).await,
                AiCommand::Evaluate { question, answer, ideal_answer, keywords, kind } => {
                    let single = question.zip(answer).map(|(question, answer)| ai::EvaluateRequest {
                        question,
                        answer,
                        ideal_answer,
                        expected_keywords: keywords,
                        kind,
                        time_limit_seconds: None,
                        duration_seconds: None,
                    });
                    ai::evaluate(&config, model_dir.as_deref(), single).await
                }
                AiCommand::AnalyzeResume { file, today } => resume::analyze(&file, today).await,
                AiCommand::Transcribe { file, language } => {
                    ai::transcribe(&config, model_dir.as_deref(), &file, language).await
                }
            }
        }
        Command::Migrate => {
            let config = Config::load(cli.config.as_deref())?;
            crate::telemetry::init(config.log_json);
            migrate(&config).await
        }
        Command::Serve { no_migrate } => {
            let config = Config::load(cli.config.as_deref())?;
            crate::telemetry::init(config.log_json);
            if config.migrate_on_start && !no_migrate {
                migrate(&config).await?;
            }
            serve::serve(config).await
        }
        Command::Admin { command: AdminCommand::Create { email, name } } => {
            let config = Config::load(cli.config.as_deref())?;
            crate::telemetry::init(config.log_json);
            accounts::create_admin(&config, &email, &name).await
        }
        Command::Seed => {
            let config = Config::load(cli.config.as_deref())?;
            crate::telemetry::init(config.log_json);
            accounts::seed(&config).await
        }
    }
}

/// Applies pending migrations, saying which.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let applied = viva_store::migrations::run_pending(&config.database_url)
        .await
        .with_context(|| format!("cannot migrate the database at {}", redact_url(&config.database_url)))?;
    if applied.is_empty() {
        tracing::info!("database schema is up to date");
    } else {
        tracing::info!(migrations = ?applied, "applied migrations");
    }
    Ok(())
}

/// A pool for the configured database, checked with one query so that an unreachable database
/// is reported at start in one line.
pub async fn connect(config: &Config) -> anyhow::Result<viva_store::DbPool> {
    let settings = viva_store::pool::PoolSettings { max_size: config.db_pool_size, ..Default::default() };
    let pool = viva_store::pool::build_pool(&config.database_url, &settings)
        .context("cannot build the database pool")?;
    let mut conn = pool.get().await.map_err(|err| {
        anyhow::anyhow!("cannot reach the database at {}: {err}", redact_url(&config.database_url))
    })?;
    viva_store::pool::ping(&mut conn).await.context("the database does not answer queries")?;
    Ok(pool)
}
