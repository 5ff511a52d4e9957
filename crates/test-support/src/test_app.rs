//! A [`TestApp`]: the real router over a database of its own.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use viva_api::{ApiConfig, Services};
use viva_domain::{Role, UserId};
use viva_store::DbConn;
use viva_store::events::EventBus;
use viva_store::models::email::{OutboxEmail, for_recipient};
use viva_store::models::user::{NewUser, User};
use viva_store::pool::{PoolSettings, QueryCounter, build_pool};

use crate::database::TestDatabase;

/// The password every test user gets.
pub const TEST_PASSWORD: &str = "violet-harbour-lantern-42";
const JWT_SECRET: &[u8] = b"test-signing-key-that-is-long-enough-0123";

/// The registration document the helpers send (register it in a trusted-documents manifest to
/// use them).
pub const REGISTER_DOCUMENT: &str =
    "mutation($input: RegisterInput!) { register(input: $input) { id email role } }";
/// The sign-in document the helpers send.
pub const LOGIN_DOCUMENT: &str =
    "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }";

static USER_COUNTER: AtomicU32 = AtomicU32::new(0);

/// The router of a real API over a database of its own.
pub struct TestApp {
    router: Router,
    /// The services behind the router.
    pub services: Services,
    listener: tokio::task::JoinHandle<()>,
    /// Counts the SQL statements the app runs.
    pub queries: QueryCounter,
    /// The test's database; dropped with the app.
    pub database: TestDatabase,
    /// Whether the test said it leaves jobs behind on purpose ([`TestApp::leave_jobs`]).
    jobs_may_remain: std::sync::atomic::AtomicBool,
}

impl Drop for TestApp {
    /// Fails the test if it left background jobs waiting, running or dead: every job a test
    /// causes is run (`run_jobs`) and succeeds, unless the test says otherwise (`leave_jobs`).
    fn drop(&mut self) {
        self.listener.abort();
        if std::thread::panicking() || self.jobs_may_remain.load(Ordering::SeqCst) {
            return;
        }
        let url = self.database.url().to_owned();
        // Drop cannot await; a short-lived thread with its own runtime asks the database.
        let left = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.ok()?;
                tokio::spawn(connection);
                let rows = client
                    .query(
                        "SELECT kind, status, count(*) FROM background_jobs WHERE status <> 'DONE' \
                         GROUP BY kind, status ORDER BY kind, status",
                        &[],
                    )
                    .await
                    .ok()?;
                Some(
                    rows.iter()
                        .map(|r| {
                            format!(
                                "{} {} ({})",
                                r.get::<_, i64>(2),
                                r.get::<_, &str>(0),
                                r.get::<_, &str>(1)
                            )
                        })
                        .collect::<Vec<_>>(),
                )
            })
        })
        .join()
        .ok()
        .flatten()
        .unwrap_or_default();
        assert!(
            left.is_empty(),
            "the test left background jobs unhandled: {}; run them with run_jobs(), or call leave_jobs() \
             if the test is about jobs that wait",
            left.join(", ")
        );
    }
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct TestUser {
    /// The user's id.
    pub id: String,
    /// The user's email.
    pub email: String,
    /// The user's password.
    pub password: String,
    /// A current access token.
    pub access_token: String,
    /// A current refresh token.
    pub refresh_token: String,
}

/// An HTTP response.
#[derive(Debug)]
pub struct RawResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl RawResponse {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// A GraphQL response.
#[derive(Debug)]
pub struct GraphqlResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// HTTP headers.
    pub headers: HeaderMap,
    /// The JSON body.
    pub body: Value,
}

impl GraphqlResponse {
    /// `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(self.errors().is_empty(), "unexpected errors: {}", self.body);
        &self.body["data"]
    }

    /// The errors, if any.
    pub fn errors(&self) -> Vec<Value> {
        self.body["errors"].as_array().cloned().unwrap_or_default()
    }

    /// The `extensions.code` of the first error.
    pub fn error_code(&self) -> Option<String> {
        self.errors().first().and_then(|e| e["extensions"]["code"].as_str().map(str::to_owned))
    }

    /// Asserts the first error has this code, and returns its message.
    pub fn expect_error(&self, code: &str) -> String {
        assert_eq!(self.error_code().as_deref(), Some(code), "expected {code}, got: {}", self.body);
        self.errors()[0]["message"].as_str().unwrap_or_default().to_owned()
    }
}

impl TestApp {
    /// An app with the test configuration.
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// An app whose configuration `adjust` changes first.
    pub async fn with_config(adjust: impl FnOnce(&mut ApiConfig)) -> Self {
        Self::with_config_and_ai(adjust, viva_ai::Registry::empty).await
    }

    /// An app whose AI registry `build` makes (given the metrics it records into), such as one
    /// with the real embedding model; by default the app has no AI provider.
    pub async fn with_config_and_ai(
        adjust: impl FnOnce(&mut ApiConfig),
        build: impl FnOnce(viva_ai::AiMetrics) -> viva_ai::Registry,
    ) -> Self {
        let database = TestDatabase::new().await;
        let mut config = ApiConfig::for_tests(JWT_SECRET);
        adjust(&mut config);
        let queries = QueryCounter::default();
        let settings =
            PoolSettings { max_size: 8, query_counter: Some(queries.clone()), ..PoolSettings::default() };
        let pool = build_pool(database.url(), &settings).expect("pool");
        let (events, listener) = EventBus::start(database.url().to_owned());
        assert!(events.wait_connected(std::time::Duration::from_secs(10)).await, "event bus did not connect");
        let services = Services::with_ai(pool, config, events, build).await.expect("services");
        let router = viva_api::app(services.clone());
        Self { router, services, listener, queries, database, jobs_may_remain: Default::default() }
    }

    /// Runs every due background job (evaluations, follow-ups, results) to completion, with
    /// retries due at once; returns how many ran.
    pub async fn run_jobs(&self) -> usize {
        let settings = viva_service::jobs::RunnerSettings { retry_base_seconds: 0, ..Default::default() };
        viva_service::jobs::runner(self.services.service.clone(), settings).drain().await.expect("run jobs")
    }

    /// Says the test leaves background jobs waiting or dead on purpose, so the end-of-test check
    /// does not fail it.
    pub fn leave_jobs(&self) {
        self.jobs_may_remain.store(true, Ordering::SeqCst);
    }

    /// Runs a statement against the app's database (to move time along: expire a window, make a
    /// job due); returns the rows changed.
    pub async fn execute(&self, sql: &str) -> usize {
        use diesel_async::RunQueryDsl;
        let mut conn = self.conn().await;
        diesel::sql_query(sql).execute(&mut conn).await.expect("statement")
    }

    /// The background jobs of one kind, oldest first.
    pub async fn jobs_of_kind(&self, kind: &str) -> Vec<viva_store::queue::Job> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use viva_store::schema::background_jobs;
        let mut conn = self.conn().await;
        background_jobs::table
            .filter(background_jobs::kind.eq(kind))
            .order((background_jobs::created_at, background_jobs::id))
            .select(viva_store::queue::Job::as_select())
            .load(&mut conn)
            .await
            .expect("jobs")
    }

    /// The signing key of the app's access tokens, for tests that forge tokens.
    pub fn jwt_secret(&self) -> &'static [u8] {
        JWT_SECRET
    }

    /// Every `table.column` (text, JSON or array) of the database whose value contains
    /// `needle`, case-insensitively: to prove something is stored nowhere.
    pub async fn tables_containing(&self, needle: &str) -> Vec<String> {
        use diesel::QueryableByName;
        use diesel_async::RunQueryDsl;
        #[derive(QueryableByName)]
        struct Column {
            #[diesel(sql_type = diesel::sql_types::Text)]
            table_name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            column_name: String,
        }
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn().await;
        let columns: Vec<Column> = diesel::sql_query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')",
        )
        .load(&mut conn)
        .await
        .expect("columns");
        assert!(columns.len() > 10, "the search covers the schema");
        let mut found = Vec::new();
        for column in columns {
            let sql = format!(
                "SELECT count(*) AS n FROM \"{}\" WHERE strpos(lower(\"{}\"::text), lower($1)) > 0",
                column.table_name, column.column_name
            );
            let count: Count = diesel::sql_query(sql)
                .bind::<diesel::sql_types::Text, _>(needle)
                .get_result(&mut conn)
                .await
                .expect("count");
            if count.n > 0 {
                found.push(format!("{}.{} ({})", column.table_name, column.column_name, count.n));
            }
        }
        found
    }

    /// A database connection, for checking what was stored.
    pub async fn conn(&self) -> DbConn {
        self.services.service.pool.get().await.expect("connection")
    }

    /// Waits until every event committed so far has come back through the app's event bus, as
    /// it would reach another replica: after a change made straight in the database, the app's
    /// session cache has then seen its `ACCESS_CHANGED`.
    pub async fn events_delivered(&self) {
        let mut conn = self.conn().await;
        let bus = &self.services.service.events;
        let back = bus.barrier(&mut conn, std::time::Duration::from_secs(10)).await.expect("barrier");
        assert!(back, "the event bus did not deliver a barrier");
    }

    /// Sends a request through the router, as from 127.0.0.1.
    pub async fn send(&self, request: Request<Body>) -> RawResponse {
        self.send_from("127.0.0.1", request).await
    }

    /// Sends a request through the router, as from the given address.
    pub async fn send_from(&self, ip: &str, mut request: Request<Body>) -> RawResponse {
        let addr: SocketAddr = format!("{ip}:40000").parse().expect("address");
        request.extensions_mut().insert(ConnectInfo(addr));
        let response = self.router.clone().oneshot(request).await.expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes();
        RawResponse { status, headers, body }
    }

    /// Posts a GraphQL request with an optional bearer token.
    pub async fn graphql_with(&self, token: Option<&str>, query: &str, variables: Value) -> GraphqlResponse {
        let mut request = Request::post("/graphql").header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        let raw = self.send(request.body(Body::from(body)).expect("request")).await;
        GraphqlResponse { status: raw.status, body: raw.json(), headers: raw.headers }
    }

    /// Posts an anonymous GraphQL request.
    pub async fn graphql(&self, query: &str, variables: Value) -> GraphqlResponse {
        self.graphql_with(None, query, variables).await
    }

    /// Posts a GraphQL request as a user.
    pub async fn graphql_as(&self, user: &TestUser, query: &str, variables: Value) -> GraphqlResponse {
        self.graphql_with(Some(&user.access_token), query, variables).await
    }

    /// Registers an account.
    pub async fn register(&self, email: &str, password: &str, role: &str) -> GraphqlResponse {
        self.graphql(
            REGISTER_DOCUMENT,
            json!({ "input": { "email": email, "password": password, "fullName": "Test Person", "role": role } }),
        )
        .await
    }

    /// Signs in.
    pub async fn login(&self, email: &str, password: &str) -> GraphqlResponse {
        self.graphql(LOGIN_DOCUMENT, json!({ "input": { "email": email, "password": password } })).await
    }

    /// Signs in and returns the user.
    pub async fn sign_in(&self, email: &str, password: &str) -> TestUser {
        let response = self.login(email, password).await;
        let login = &response.data()["login"];
        TestUser {
            id: login["user"]["id"].as_str().expect("id").to_owned(),
            email: email.to_owned(),
            password: password.to_owned(),
            access_token: login["accessToken"].as_str().expect("access token").to_owned(),
            refresh_token: login["refreshToken"].as_str().expect("refresh token").to_owned(),
        }
    }

    /// A unique email address for this test run.
    pub fn unique_email(&self, prefix: &str) -> String {
        format!("{prefix}{}@example.org", USER_COUNTER.fetch_add(1, Ordering::SeqCst))
    }

    /// A signed-in candidate, created directly in the database (as registration would, without
    /// its email): tests about registration itself call [`TestApp::register`].
    pub async fn candidate(&self) -> TestUser {
        self.user(Role::Candidate, "candidate", "Test Person", None).await
    }

    /// A signed-in user of `role` (`CANDIDATE` or `HR`) who registered through the API, with
    /// the verification email that queues: for tests about registration and its email.
    pub async fn registered(&self, role: &str) -> TestUser {
        let email = self.unique_email(&role.to_lowercase());
        self.register(&email, TEST_PASSWORD, role).await.data();
        self.sign_in(&email, TEST_PASSWORD).await
    }

    /// A signed-in HR user, created directly in the database (not yet mapped).
    pub async fn hr(&self) -> TestUser {
        self.user(Role::Hr, "hr", "Test Person", None).await
    }

    /// A signed-in admin, created the way `viva admin create` does.
    pub async fn admin(&self) -> TestUser {
        self.user(Role::Admin, "admin", "Test Admin", Some(chrono_now())).await
    }

    /// Creates an account directly in the database with [`TEST_PASSWORD`] (hashed once per test
    /// process, not once per user) and signs it in through the API.
    async fn user(
        &self,
        role: Role,
        prefix: &str,
        full_name: &str,
        verified: Option<chrono::DateTime<chrono::Utc>>,
    ) -> TestUser {
        static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
        let hash = HASH
            .get_or_init(|| async {
                self.services.service.passwords.hash(TEST_PASSWORD.to_owned()).await.expect("hash")
            })
            .await;
        let email = self.unique_email(prefix);
        let new = NewUser {
            id: UserId::new(),
            email: &email,
            password_hash: hash,
            full_name,
            role,
            email_verified_at: verified,
        };
        let mut conn = self.conn().await;
        User::insert(&mut conn, &new).await.expect("insert user");
        self.sign_in(&email, TEST_PASSWORD).await
    }

    /// Maps an HR user to an admin the way the product does: the HR user applies, the admin
    /// accepts.
    pub async fn map_hr(&self, admin: &TestUser, hr: &TestUser) {
        let applied = self
            .graphql_as(
                hr,
                "mutation($a: ID!) { applyToAdmin(adminId: $a) { id } }",
                json!({ "a": admin.id }),
            )
            .await;
        let id = applied.data()["applyToAdmin"]["id"].as_str().expect("application id").to_owned();
        self.graphql_as(
            admin,
            "mutation($id: ID!) { respondToApplication(applicationId: $id, accept: true) { status } }",
            json!({ "id": id }),
        )
        .await
        .data();
    }

    /// Assigns a candidate to a (mapped) HR user, as an admin.
    pub async fn assign(&self, admin: &TestUser, candidate: &TestUser, hr: &TestUser) {
        self.graphql_as(
            admin,
            "mutation($c: ID!, $h: ID!) { assignCandidate(candidateId: $c, hrId: $h) { id } }",
            json!({ "c": candidate.id, "h": hr.id }),
        )
        .await
        .data();
    }

    /// Loads the shipped question bank, as `viva seed` does.
    pub async fn seed_question_bank(&self) {
        let mut conn = self.conn().await;
        viva_service::question_bank::load(&mut conn).await.expect("load the question bank");
    }

    /// The emails queued for an address, newest first.
    pub async fn outbox(&self, recipient: &str) -> Vec<OutboxEmail> {
        let mut conn = self.conn().await;
        for_recipient(&mut conn, recipient).await.expect("outbox")
    }

    /// The token in the newest email with this subject to an address. Some emails are queued by
    /// a job (password resets): when none is there yet, the due jobs run first.
    pub async fn token_from_email(&self, recipient: &str, subject: &str) -> String {
        let find = async || self.outbox(recipient).await.into_iter().find(|e| e.subject == subject);
        let email = match find().await {
            Some(email) => email,
            None => {
                self.run_jobs().await;
                find().await.unwrap_or_else(|| panic!("no {subject:?} email to {recipient}"))
            }
        };
        let start = email.body.find("token=").expect("token in email") + "token=".len();
        email.body[start..].split_whitespace().next().expect("token").to_owned()
    }
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
