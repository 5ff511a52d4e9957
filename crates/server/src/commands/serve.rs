//! `viva serve`: the API, with background maintenance, until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use viva_store::DbPool;

use crate::config::Config;

/// Serves until a shutdown signal, then finishes in-flight requests.
pub(super) async fn serve(config: Config) -> anyhow::Result<()> {
    let pool = super::connect(&config).await?;
    let (events, event_listener) = viva_store::events::EventBus::start(config.database_url.clone());
    if !events.wait_connected(Duration::from_secs(5)).await {
        tracing::warn!("the event bus is not connected yet; live notifications start once it is");
    }
    let services = services(&config, pool.clone(), events).await?;
    let (stop_workers, workers) = if config.workers_in_serve {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let runner = viva_service::jobs::runner(services.service.clone(), config.worker);
        tracing::info!(kinds = ?runner.kinds(), "background jobs run in this process");
        (Some(stop), Some(tokio::spawn(runner.run(stopped))))
    } else {
        (None, None)
    };
    if let Some(trusted) = &config.api.persisted.trusted {
        tracing::info!(
            operations = trusted.len(),
            "trusted documents mode: only the operations of the manifest (VIVA_TRUSTED_DOCUMENTS) run"
        );
    }
    let metrics_server = match config.metrics_listen {
        Some(address) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address} (VIVA_METRICS_LISTEN)"))?;
            let router =
                viva_api::http::metrics_router(viva_api::build_schema(services.clone()), services.clone());
            tracing::info!("metrics on http://{}/metrics", listener.local_addr().unwrap_or(address));
            Some(tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, router).await {
                    tracing::error!(error = %err, "the metrics listener failed");
                }
            }))
        }
        None if !config.api.metrics_on_public_router => {
            tracing::info!("metrics are not served (production without VIVA_METRICS_LISTEN)");
            None
        }
        None => None,
    };
    let app = viva_api::app(services);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr().context("cannot read the listening address")?;
    let graphiql =
        if config.api.graphiql { format!(", GraphiQL on http://{address}/graphiql") } else { String::new() };
    tracing::info!("Viva serving GraphQL on http://{address}/graphql{graphiql}");

    if config.api.service.smtp.is_none() {
        tracing::warn!(
            "SMTP is not configured (VIVA_SMTP_URL): emails stay unsent in the email_outbox table"
        );
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server failed")?;
    if let (Some(stop), Some(workers)) = (stop_workers, workers) {
        let _ = stop.send(true);
        let _ = workers.await;
    }
    event_listener.abort();
    if let Some(metrics_server) = metrics_server {
        metrics_server.abort();
    }
    tracing::info!("Viva stopped");
    Ok(())
}

/// The shared services with the AI registry from the configuration; says in one line what
/// runs degraded.
async fn services(
    config: &Config,
    pool: DbPool,
    events: viva_store::events::EventBus,
) -> anyhow::Result<viva_api::Services> {
    let services = viva_api::Services::with_ai(pool, config.api.clone(), events, |metrics| {
        super::ai::registry(&config.ai, config.model_dir.as_deref(), metrics)
    })
    .await
    .map_err(|err| anyhow::anyhow!("cannot start the API services: {err}"))?;
    match services.service.ai.registry.degraded_summary() {
        Some(line) => tracing::warn!("{line}"),
        None => tracing::info!("AI providers ready"),
    }
    Ok(services)
}

/// `viva worker`: runs the background workers until SIGINT or SIGTERM, finishing the jobs in hand.
pub(super) async fn work(config: Config) -> anyhow::Result<()> {
    let pool = super::connect(&config).await?;
    let (events, event_listener) = viva_store::events::EventBus::start(config.database_url.clone());
    let services = services(&config, pool, events).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = viva_service::jobs::runner(services.service.clone(), config.worker);
    tracing::info!(concurrency = config.worker.concurrency, kinds = ?runner.kinds(), "Viva worker running");
    let workers = tokio::spawn(runner.run(stopped));
    shutdown_signal().await;
    let _ = stop.send(true);
    let _ = workers.await;
    event_listener.abort();
    tracing::info!("Viva worker stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("shutting down: finishing requests in flight");
}
