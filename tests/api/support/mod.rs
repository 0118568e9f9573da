//! The test application: the real server (built by `startup`) on a random port, over its own
//! throwaway database, with an organ tree, a respondent and one user per role.

pub mod db;

use std::{collections::HashMap, net::TcpListener};

use chrono::NaiveDate;

use fuyi::{
    auth::{
        Caller, Role, password,
        session::issue_pair,
        tokens::{SessionRef, TokenKeys},
    },
    config::Settings,
    db::{
        DbPool,
        organs::{NewOrgan, NewRespondent, Organ},
        statistics::{Grouping, Source, StatsFilter, Tally, tally_from},
        users::NewUser,
    },
    startup::Application,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

pub use self::db::TestDatabase;

/// The password every fixture user has.
pub const PASSWORD: &str = "correct-horse-battery";
/// The signing secret of the test service.
pub const JWT_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

/// A signed-in fixture user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub username: String,
    pub token: String,
    /// The session (refresh-token family) the token belongs to.
    pub session: Uuid,
}

/// A running service with fixtures.
pub struct TestApp {
    pub address: String,
    /// The metrics listener's base URL, when `FUYI_METRICS_BIND` is set.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub pool: DbPool,
    pub settings: Settings,
    /// The city organ (root of the test tree).
    pub city: Organ,
    /// A district organ below the city.
    pub district: Organ,
    /// A respondent answering to the city.
    pub respondent: Uuid,
    pub officer: TestUser,
    /// Holds both the head and the officer roles, as a head of office does.
    pub head: TestUser,
    pub statistician: TestUser,
    pub admin: TestUser,
    keys: TokenKeys,
    // Dropped last: the server's connections go first.
    _db: TestDatabase,
}

/// Settings for tests, with `overrides` applied on top.
pub fn test_settings(database_url: &str, overrides: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", database_url),
        ("FUYI_JWT_SECRET", JWT_SECRET),
        ("FUYI_WORKERS", "1"),
        ("FUYI_DB_POOL_SIZE", "8"),
        ("FUYI_CORS_ORIGINS", "https://front.example"),
        // Every test signs in from 127.0.0.1; the rate-limit tests set their own limit.
        ("FUYI_AUTH_RATE_PER_MINUTE", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in overrides {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Settings::from_lookup(|name| vars.get(name).cloned()).expect("valid test settings")
}

/// Settings of a test service over `db`: the service signs in as the app role, migrations as the
/// owner.
pub fn service_settings(db: &TestDatabase, overrides: &[(&str, &str)]) -> Settings {
    let mut all = vec![("FUYI_MIGRATION_DATABASE_URL", db.url())];
    all.extend_from_slice(overrides);
    test_settings(db.app_url(), &all)
}

impl TestApp {
    /// Spawns the service with the default test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Spawns the service with some settings overridden (`FUYI_…` variables).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        // Logs only on request: `TEST_LOG=1 cargo test`.
        if std::env::var_os("TEST_LOG").is_some() {
            fuyi::telemetry::init(fuyi::config::LogFormat::Pretty);
        }
        let db = TestDatabase::new().await;
        let settings = service_settings(&db, overrides);
        let pool = fuyi::db::pool_for(db.app_url(), &settings).expect("pool");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::build(settings.clone(), pool.clone(), listener).expect("build");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics_address = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        tokio::spawn(app.run_until_stopped());

        let mut conn = pool.get().await.expect("connection");
        let city = fuyi::db::organs::insert_organ(
            &mut conn,
            NewOrgan {
                code: "city",
                name: "福州市人民政府",
                short_name: "榕",
                parent_id: None,
                time_zone: "Asia/Shanghai",
            },
        )
        .await
        .expect("city organ");
        let district = fuyi::db::organs::insert_organ(
            &mut conn,
            NewOrgan {
                code: "gulou",
                name: "鼓楼区人民政府",
                short_name: "鼓",
                parent_id: Some(city.id),
                time_zone: "Asia/Shanghai",
            },
        )
        .await
        .expect("district organ");
        let respondent = fuyi::db::organs::insert_respondent(
            &mut conn,
            &NewRespondent {
                id: Uuid::now_v7(),
                organ_id: city.id,
                name: "福州市公安局",
                credit_code: None,
                domain: "public_security",
            },
        )
        .await
        .expect("respondent")
        .id;
        drop(conn);

        let keys = TokenKeys::from_settings(&settings.auth).expect("keys");
        let mut app = Self {
            address,
            metrics_address,
            client: reqwest::Client::new(),
            pool,
            settings,
            officer: placeholder(),
            head: placeholder(),
            statistician: placeholder(),
            admin: placeholder(),
            city,
            district,
            respondent,
            keys,
            _db: db,
        };
        let city_id = app.city.id;
        app.officer = app.user("officer", city_id, &[Role::Officer]).await;
        app.head = app
            .user("head", city_id, &[Role::Officer, Role::Head])
            .await;
        app.statistician = app
            .user("statistician", city_id, &[Role::Statistician])
            .await;
        app.admin = app.user("admin", city_id, &[Role::Admin]).await;
        app
    }

    /// Creates a user with [`PASSWORD`] and returns it with a valid access token.
    pub async fn user(&self, username: &str, organ_id: Uuid, roles: &[Role]) -> TestUser {
        let mut conn = self.pool.get().await.expect("connection");
        let hash = password::hash(PASSWORD).expect("hash");
        let row = fuyi::db::users::insert(
            &mut conn,
            &NewUser {
                id: Uuid::now_v7(),
                username,
                display_name: username,
                password_hash: &hash,
                organ_id,
                roles: roles.iter().map(ToString::to_string).collect(),
            },
        )
        .await
        .expect("user");
        let organ = fuyi::db::organs::find_organ(&mut conn, organ_id)
            .await
            .expect("organ");
        let caller = Caller {
            user_id: row.id,
            username: username.to_owned(),
            organ_id,
            organ_path: organ.path,
            roles: roles.to_vec(),
        };
        let session = SessionRef {
            id: Uuid::now_v7(),
            token_version: row.token_version,
        };
        let issued = issue_pair(
            &mut conn,
            &self.keys,
            self.settings.auth.refresh_ttl,
            &caller,
            session,
            chrono::Utc::now(),
        )
        .await
        .expect("a session");
        TestUser {
            id: row.id,
            username: username.to_owned(),
            token: issued.access_token,
            session: session.id,
        }
    }

    /// The test database's URL as the role that owns the schema.
    /// Starts a second server over the same database with the same settings, as a second
    /// `fuyi serve` replica would run; returns its base URL.
    pub async fn replica(&self) -> String {
        let pool = fuyi::db::pool_for(self._db.app_url(), &self.settings).expect("pool");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::build(self.settings.clone(), pool, listener).expect("build");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    pub fn owner_url(&self) -> &str {
        self._db.url()
    }

    /// A request to `path` (relative to the service).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.address))
    }

    /// A request with `user`'s bearer token.
    pub fn as_user(&self, user: &TestUser, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(&user.token)
    }

    /// Registers a case as the officer from `body`; returns the status and JSON answer.
    pub async fn register(&self, user: &TestUser, body: &Value) -> (StatusCode, Value) {
        let response = self
            .as_user(user, Method::POST, "/api/v1/cases")
            .json(body)
            .send()
            .await
            .expect("request");
        status_and_json(response).await
    }

    /// Registers the sample case and returns its JSON (state `received`).
    pub async fn sample_case(&self) -> Value {
        let (status, body) = self
            .register(&self.officer, &sample_case(self.respondent))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Takes an action on a case with the right `If-Match`; returns the status and JSON answer.
    pub async fn act(&self, user: &TestUser, case: &Value, action: Value) -> (StatusCode, Value) {
        let id = case["id"].as_str().expect("case id");
        let version = case["version"].as_i64().expect("version");
        let response = self
            .as_user(
                user,
                Method::POST,
                &format!("/api/v1/cases/{id}/transitions"),
            )
            .header("If-Match", format!("\"{version}\""))
            .json(&action)
            .send()
            .await
            .expect("request");
        status_and_json(response).await
    }

    /// Like [`TestApp::act`], but the action must succeed; returns the updated case.
    pub async fn act_ok(&self, user: &TestUser, case: &Value, action: Value) -> Value {
        let (status, body) = self.act(user, case, action.clone()).await;
        assert_eq!(status, StatusCode::OK, "{action} → {body}");
        body
    }

    /// Reads a case.
    pub async fn get_case(&self, user: &TestUser, id: &str) -> (StatusCode, Value) {
        let response = self
            .as_user(user, Method::GET, &format!("/api/v1/cases/{id}"))
            .send()
            .await
            .expect("request");
        status_and_json(response).await
    }

    /// The figures of `filter` over `from..=to` from the per-day rollups, after checking that
    /// counting the cases gives the same buckets and total.
    pub async fn rollups_agreeing_with_cases(
        &self,
        filter: &StatsFilter,
        grouping: Grouping,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Tally {
        let rollups = tally_from(&self.pool, Source::Rollups, filter, grouping, from, to)
            .await
            .expect("tally of the rollups");
        let cases = tally_from(&self.pool, Source::Cases, filter, grouping, from, to)
            .await
            .expect("tally of the cases");
        assert_eq!(rollups.buckets, cases.buckets, "{grouping:?} {from}..{to}");
        assert_eq!(rollups.total, cases.total, "{grouping:?} {from}..{to}");
        rollups
    }
}

fn placeholder() -> TestUser {
    TestUser {
        id: Uuid::nil(),
        username: String::new(),
        token: String::new(),
        session: Uuid::nil(),
    }
}

/// The status and JSON body of a response (`Value::Null` for an empty or non-JSON body).
pub async fn status_and_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// A complete application against `respondent`: a natural person with an agent, a penalty
/// decision of 2024, received in time.
pub fn sample_case(respondent: Uuid) -> Value {
    json!({
        "respondent_id": respondent,
        "received_on": "2024-03-01",
        "channel": "online",
        "act_type": "administrative_penalty",
        "act_document_number": "榕公罚〔2024〕12号",
        "act_date": "2024-01-10",
        "learned_on": "2024-01-12",
        "amount_fen": 200000,
        "request": "撤销榕公罚〔2024〕12号行政处罚决定",
        "reasons": "认定事实不清，证据不足",
        "parties": [
            {
                "role": "applicant",
                "kind": "natural_person",
                "name": "张三",
                "id_number": "350102199001011234",
                "phone": "13812345678"
            },
            {
                "role": "agent",
                "kind": "natural_person",
                "name": "李律师",
                "acts_for": 0
            }
        ]
    })
}
