//! Serving connections with bounds, since `axum::serve` has none: at most
//! `MAX_CONNECTIONS` at once, a connection that sends no complete request
//! head within the header timeout (half-open, or idle between requests) is
//! closed, and no request may take longer than `REQUEST_TIMEOUT`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot, watch};
use tower_service::Service;

pub const MAX_CONNECTIONS: usize = 512;
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let (stop_tx, stop_rx) = watch::channel(false);
    accept_loop(&listener, app, header_timeout, shutdown, &slots, stop_rx).await;
    drop(listener);
    // Stopped means stopped: live connections close too, and the caller
    // learns of it only once they have.
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        slots.acquire_many(MAX_CONNECTIONS as u32),
    )
    .await;
}

async fn accept_loop(
    listener: &TcpListener,
    app: Router,
    header_timeout: Duration,
    mut shutdown: oneshot::Receiver<()>,
    slots: &Arc<Semaphore>,
    stop: watch::Receiver<bool>,
) {
    loop {
        // Waiting for a slot leaves further clients in the kernel's backlog.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
            _ = &mut shutdown => return,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: pause, do not spin.
                    tracing::warn!("simulator accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return,
        };
        let app = app.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let mut app = app.clone();
                async move {
                    let req = req.map(Body::new);
                    let resp = match tokio::time::timeout(REQUEST_TIMEOUT, app.call(req)).await {
                        Ok(Ok(resp)) => resp,
                        Ok(Err(never)) => match never {},
                        Err(_) => Response::builder()
                            .status(StatusCode::REQUEST_TIMEOUT)
                            .body(Body::from("request took too long"))
                            .unwrap_or_default(),
                    };
                    Ok::<_, Infallible>(resp)
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            let stopping = tokio::select! {
                _ = conn.as_mut() => false,
                r = stop.wait_for(|s| *s) => r.is_ok(),
            };
            if stopping {
                conn.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(Duration::from_secs(2), conn).await;
            }
        });
    }
}
