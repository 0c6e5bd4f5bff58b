//! `trialmatch serve [--addr 127.0.0.1:8080] [--no-auth] [--max-body BYTES]
//! [--timeout SECS]`: the JSON API (tm-server over tm-app) until SIGINT or
//! SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// No bearer token required (only allowed on a loopback address).
    #[arg(long)]
    pub no_auth: bool,
    /// Largest request body in bytes (larger → 413).
    #[arg(long, value_name = "BYTES", default_value_t = tm_server::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Seconds a request may take (longer → 408).
    #[arg(long, value_name = "SECS", default_value_t = tm_server::DEFAULT_TIMEOUT.as_secs())]
    pub timeout: u64,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    if args.no_auth && !args.addr.ip().is_loopback() {
        return Err(CliError::usage(format!(
            "--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not {}",
            args.addr
        )));
    }
    let app = Arc::new(tm_app::App::service(&ctx.db));
    // No store → `no store at PATH (run `trialmatch import` first)`, exit 1
    // (serve never creates one; it reads through a read-only connection).
    app.require_store()?;
    let registry = app.registry()?;
    let tokens = app.with_store(|s| Ok(s.token_hashes()?.len()))?;
    if args.no_auth {
        eprintln!(
            "WARNING: --no-auth: the patient and import routes accept requests WITHOUT a token."
        );
        eprintln!(
            "WARNING: anyone who can reach {} can post patient data and import trials.",
            args.addr
        );
    } else if tokens == 0 {
        eprintln!("note: no API token yet; create one with: trialmatch token create NAME");
    }
    let cfg = tm_server::Config {
        auth: !args.no_auth,
        max_body: args.max_body,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| CliError::failure(format!("cannot listen on {}: {e}", args.addr)))?;
        let local = listener.local_addr()?;
        if !ctx.quiet {
            eprintln!(
                "trialmatch serve: {} trials from {}; http://{local}/api/v1 (OpenAPI: /api/v1/openapi.json); Ctrl-C to stop",
                registry.entries().len(),
                ctx.db.display()
            );
        }
        drop(registry);
        tm_server::serve(listener, app, cfg).await?;
        Ok::<(), CliError>(())
    })
}
