//! Starting and stopping the real binary.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use viva_test_support::TestDatabase;

/// The signing key the servers under test use.
pub(crate) const JWT_SECRET: &str = "e2e-signing-key-that-is-long-enough-0123456789";

/// A `viva` command with the test environment and nothing inherited from the developer's.
pub(crate) fn viva(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_viva"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("VIVA_DATABASE_URL", database_url)
        .env("VIVA_ENVIRONMENT", "test")
        .env("VIVA_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn");
    command
}

/// The root admin's sign-in, as [`create_root_admin`] makes it.
pub(crate) const ROOT_EMAIL: &str = "root@example.org";
/// The root admin's password.
pub(crate) const ROOT_PASSWORD: &str = "granite-lighthouse-echo-4";

/// Migrates `database` and loads the demo data and question bank, as `make run` does.
pub(crate) fn migrate_and_seed(database: &TestDatabase) {
    for command in ["migrate", "seed"] {
        let output = viva(database.url()).arg(command).output().expect("run viva");
        assert!(output.status.success(), "viva {command}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// Creates the root admin (Rita Root, [`ROOT_EMAIL`], [`ROOT_PASSWORD`]) with `viva admin
/// create`, as an operator would.
pub(crate) fn create_root_admin(database_url: &str) {
    let created = viva(database_url)
        .args(["admin", "create", "--email", ROOT_EMAIL, "--name", "Rita Root"])
        .env("VIVA_ADMIN_PASSWORD", ROOT_PASSWORD)
        .output()
        .expect("run viva admin create");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
}

/// An HTTP client. reqwest is built without a default TLS crypto provider (the providers
/// install ring's), so one is installed first.
pub(crate) fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A running `viva serve`, killed on drop.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// `ws://127.0.0.1:PORT/graphql/ws`.
    pub(crate) ws_url: String,
    log: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    /// Starts a server on the database with extra environment, and waits until it is ready.
    pub(crate) async fn start(database: &TestDatabase, env: &[(&str, &str)]) -> Self {
        Self::start_on(database.url(), env).await
    }

    /// Starts a server on the database at `url`.
    pub(crate) async fn start_on(url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("viva-e2e-{}-{port}.log", std::process::id()));
        let mut command = viva(url);
        command
            .arg("serve")
            .env("VIVA_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start viva serve");
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            ws_url: format!("ws://127.0.0.1:{port}/graphql/ws"),
            log,
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        let client = http();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = client.get(format!("{}/readyz", self.base)).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "viva serve did not become ready; its log:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// The server process's id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server has logged so far.
    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Posts a GraphQL request and returns the JSON body.
    pub(crate) async fn graphql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let mut request = http()
            .post(format!("{}/graphql", self.base))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }
}

/// A graphql-transport-ws connection.
pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Server {
    /// Signs in; returns the `login` payload (`accessToken`, `refreshToken`, `user { id }`),
    /// asserting it worked.
    pub(crate) async fn sign_in(&self, email: &str, password: &str) -> Value {
        let login = self
            .graphql(
                None,
                "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken user { id } } }",
                json!({ "i": { "email": email, "password": password } }),
            )
            .await;
        assert!(login["data"]["login"]["accessToken"].is_string(), "{login}");
        login["data"]["login"].clone()
    }

    /// A socket signed in with `token` and subscribed (id `n`) to `notifications { <selection> }`.
    pub(crate) async fn subscribe_notifications(&self, token: &str, selection: &str) -> Socket {
        let mut request = self.ws_url.as_str().into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let init =
            json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        socket.send(Message::Text(init.to_string().into())).await.unwrap();
        let ack = socket.next().await.unwrap().unwrap();
        assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
        let query = format!("subscription {{ notifications {{ {selection} }} }}");
        let subscribe = json!({ "id": "n", "type": "subscribe", "payload": { "query": query } });
        socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
        listening(&mut socket).await;
        socket
    }
}

/// Waits until the subscriptions sent so far on `socket` are live: the server answers a `ping`
/// only after it has started every operation subscribed before it, and a subscription listens
/// from its start. Anything but the `pong` arriving first fails the test.
pub(crate) async fn listening(socket: &mut Socket) {
    socket.send(Message::Text(json!({ "type": "ping" }).to_string().into())).await.unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("a pong within 10 s")
        .expect("the socket is open")
        .expect("a message");
    let reply: Value = serde_json::from_str(reply.to_text().expect("text")).expect("JSON");
    assert_eq!(reply["type"], "pong", "{reply}");
}

/// The directory a setup script prints with `--print-dir` (`scripts/<script>`).
pub(crate) fn script_dir(script: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(root.join("scripts").join(script)).arg("--print-dir").output().unwrap();
    assert!(output.status.success(), "{script} --print-dir failed");
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
