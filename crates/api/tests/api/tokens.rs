//! Access tokens that must be refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use viva_test_support::TestApp;

const ME: &str = "{ me { id } }";

fn claims(app_user: &str, session: &str, overrides: Value) -> Value {
    let now = chrono_now();
    let mut claims = json!({
        "iss": "viva", "aud": "viva-api", "sub": app_user, "sid": session,
        "iat": now, "nbf": now, "exp": now + 600, "jti": "00000000-0000-0000-0000-000000000000"
    });
    for (key, value) in overrides.as_object().unwrap() {
        claims[key] = value.clone();
    }
    claims
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn sign(key: &[u8], typ: &str, claims: &Value) -> String {
    let header = Header { typ: Some(typ.to_owned()), ..Header::new(Algorithm::HS256) };
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(key)).unwrap()
}

/// The user id and session id inside a real access token.
fn ids(token: &str) -> (String, String) {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    (claims["sub"].as_str().unwrap().to_owned(), claims["sid"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_correctly_forged_token_with_the_real_key_is_accepted() {
    // The control for the refusals below: the helpers make tokens the server accepts.
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let (user, session) = ids(&ada.access_token);
    let token = sign(app.jwt_secret(), "at+jwt", &claims(&user, &session, json!({})));
    let me = app.graphql_with(Some(&token), ME, json!({})).await;
    assert_eq!(me.data()["me"]["id"], ada.id.as_str(), "the token stands for its subject");
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let (user, session) = ids(&ada.access_token);
    let key = app.jwt_secret();
    let now = chrono_now();

    let expired = sign(
        key,
        "at+jwt",
        &claims(&user, &session, json!({ "exp": now - 60, "iat": now - 1000, "nbf": now - 1000 })),
    );
    let forged =
        sign(b"an-attacker-key-that-is-long-enough!!", "at+jwt", &claims(&user, &session, json!({})));
    let wrong_audience = sign(key, "at+jwt", &claims(&user, &session, json!({ "aud": "another-service" })));
    let wrong_issuer = sign(key, "at+jwt", &claims(&user, &session, json!({ "iss": "someone-else" })));
    let wrong_type = sign(key, "JWT", &claims(&user, &session, json!({})));
    let not_yet_valid = sign(key, "at+jwt", &claims(&user, &session, json!({ "nbf": now + 3600 })));
    let other_session =
        sign(key, "at+jwt", &claims(&user, "0190f5f0-0000-7000-8000-000000000000", json!({})));
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(&user, &session, json!({})).to_string());
    let alg_none = format!("{header}.{body}.");
    let tampered = {
        let mut parts: Vec<String> = ada.access_token.split('.').map(str::to_owned).collect();
        parts[1] =
            URL_SAFE_NO_PAD.encode(claims(&user, &session, json!({ "exp": now + 999_999 })).to_string());
        parts.join(".")
    };

    for (name, token) in [
        ("expired", expired),
        ("forged", forged),
        ("wrong audience", wrong_audience),
        ("wrong issuer", wrong_issuer),
        ("wrong type", wrong_type),
        ("not yet valid", not_yet_valid),
        ("unknown session", other_session),
        ("alg none", alg_none),
        ("tampered", tampered),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let response = app.graphql_with(Some(&token), ME, json!({})).await;
        assert_eq!(response.error_code().as_deref(), Some("UNAUTHENTICATED"), "{name}: {}", response.body);
    }
    // The real token still works.
    assert_eq!(app.graphql_as(&ada, ME, json!({})).await.data()["me"]["id"], ada.id.as_str());
}

#[tokio::test]
async fn public_operations_still_work_with_a_stale_token() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let login = app
        .graphql_with(
            Some("stale.token.here"),
            "mutation($i: LoginInput!) { login(input: $i) { user { id } } }",
            json!({ "i": { "email": ada.email, "password": ada.password } }),
        )
        .await;
    assert_eq!(login.data()["login"]["user"]["id"], ada.id.as_str());
}
