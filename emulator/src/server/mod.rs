//! The HTTP side: the accept loop, per-connection control and the router that puts the
//! services' routes, the admin API and the front middleware together.
//!
//! The parts live in the submodules: `middleware` (request log, login attempts, injected
//! faults), `login` (login and logout), `auth` (authenticating a request's token),
//! `endpoints` (the API endpoints), and the helpers `parse` (request bodies),
//! `clock` (time and DRF datetimes) and `ids` (ids derived from a username).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};

use crate::admin;
use crate::app::App;
use crate::reply::detail;
use crate::service::Service;

mod auth;
mod clock;
mod endpoints;
mod ids;
mod login;
mod middleware;
mod parse;

use endpoints::{
    big, crux_permissions, echo, redirect, tp_assets, tp_courses, tp_create_video, tp_exams, whoami,
};
use login::{login, logout};
use middleware::{front, ConnKill};

// ---------------------------------------------------------------------------------------------
// Accept loop and connections

/// Serve until `shutdown` fires (or its sender is dropped).
pub(crate) async fn serve(listener: TcpListener, app: App, mut shutdown: oneshot::Receiver<()>) {
    let router = router(app.clone());
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            res = listener.accept() => {
                let stream = match res {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        app.log(format!("authtoken-emulator: accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                if app.lock().take_reset() {
                    // SO_LINGER 0: close with a RST, before reading anything.
                    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                    drop(stream);
                    app.log("authtoken-emulator: connection closed at accept (fault=reset)".into());
                    continue;
                }
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, router.clone()));
            }
        }
    }
}

async fn connection(stream: TcpStream, router: Router) {
    let kill = Arc::new(Notify::new());
    let kill_for_requests = kill.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut()
            .insert(ConnKill(kill_for_requests.clone()));
        let mut router = router.clone();
        async move {
            let resp: Result<Response, Infallible> =
                tower_service::Service::call(&mut router, req).await;
            resp
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection future closes the socket without writing anything more.
        _ = kill.notified() => {}
    }
}

fn router(app: App) -> Router {
    let mut r: Router<App> = Router::new();
    for svc in Service::ALL {
        let p = format!("/{}", svc.as_str());
        for lp in svc.login_paths() {
            r = r.route(&format!("{p}{lp}"), post(login));
        }
        if let Some(lo) = svc.logout_path() {
            r = r.route(&format!("{p}{lo}"), post(logout));
        }
        r = r
            .route(&format!("{p}/api/echo/"), any(echo))
            .route(&format!("{p}/api/echo/{{*rest}}"), any(echo))
            .route(&format!("{p}/api/redirect/"), any(redirect))
            .route(&format!("{p}/api/whoami/"), any(whoami))
            .route(&format!("{p}/api/big/"), get(big));
        match svc {
            Service::Tpstreams => {
                r = r
                    .route(&format!("{p}/api/v1/{{org}}/assets/"), get(tp_assets))
                    .route(
                        &format!("{p}/api/v1/{{org}}/assets/videos/"),
                        post(tp_create_video),
                    );
            }
            Service::Testpress => {
                r = r
                    .route(&format!("{p}/api/v2.5/courses/"), get(tp_courses))
                    .route(&format!("{p}/api/v2.5/exams/"), get(tp_exams));
            }
            Service::Cruxconnect => {
                r = r.route(&format!("{p}/api/permissions/"), get(crux_permissions));
            }
            Service::TpstreamsLegacy => {}
        }
    }
    r.merge(admin::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(app.clone(), front))
        .with_state(app)
}

// ---------------------------------------------------------------------------------------------
// Responses

async fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

async fn method_not_allowed(method: Method) -> Response {
    detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{method}\" not allowed."),
    )
}
