//! `viva admin create` and `viva seed`.

use std::io::BufRead as _;

use anyhow::{Context, bail};
use chrono::Utc;
use viva_api::config::Environment;
use viva_domain::password::check_password_policy;
use viva_domain::profile::{MAX_NAME_CHARS, required_text};
use viva_domain::{Email, Role, UserId};
use viva_service::auth::passwords::PasswordHasher;
use viva_store::models::audit::{self, NewAuditEntry};
use viva_store::models::user::{NewUser, User};
use viva_store::{AsyncPgConnection, errors::unique_violation};

use crate::config::Config;

/// The password of every demo account. Demo accounts exist only outside production.
pub(super) const DEMO_PASSWORD: &str = "viva-demo-passphrase";

/// Creates an admin with a password from VIVA_ADMIN_PASSWORD or one line of standard input.
pub(super) async fn create_admin(config: &Config, email: &str, name: &str) -> anyhow::Result<()> {
    let password = match std::env::var("VIVA_ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let pool = super::connect(config).await?;
    let mut conn = pool.get().await?;
    let hasher = PasswordHasher::new(1).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = insert_user(&mut conn, &hasher, email, name, &password, Role::Admin).await?;
    audit::record(
        &mut conn,
        &NewAuditEntry {
            actor_id: None,
            action: viva_domain::vocab::AuditAction::AdminCreatedByCli,
            target_user_id: Some(user.id),
            ip_address: None,
            details: serde_json::json!({}),
        },
    )
    .await?;
    println_out(&format!("created admin {} ({})", user.email, user.id));
    Ok(())
}

/// Checks and inserts an account whose address is taken as verified.
async fn insert_user(
    conn: &mut AsyncPgConnection,
    hasher: &PasswordHasher,
    email: &str,
    name: &str,
    password: &str,
    role: Role,
) -> anyhow::Result<User> {
    let email = Email::parse(email, "--email")?;
    let name = required_text(name, "--name", MAX_NAME_CHARS)?;
    check_password_policy(password, &email, "password")?;
    let hash = hasher.hash(password.to_owned()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let new = NewUser {
        id: UserId::new(),
        email: email.as_str(),
        password_hash: &hash,
        full_name: &name,
        role,
        email_verified_at: Some(Utc::now()),
    };
    match User::insert(conn, &new).await {
        Ok(user) => Ok(user),
        Err(err) if unique_violation(&err).is_some() => {
            bail!("an account with the email {email} already exists")
        }
        Err(err) => Err(err.into()),
    }
}

/// Loads the demo accounts (an admin, a mapped HR user and a candidate assigned to them),
/// leaving existing ones as they are, and prints how to sign in.
pub(super) async fn seed(config: &Config) -> anyhow::Result<()> {
    if config.api.service.environment == Environment::Production {
        bail!("seed loads demo accounts with a published password and is refused in production");
    }
    let pool = super::connect(config).await?;
    let mut conn = pool.get().await?;
    let hasher = PasswordHasher::new(1).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let demo = [
        ("admin@viva.test", "Ada Admin", Role::Admin),
        ("hr@viva.test", "Hal Recruiter", Role::Hr),
        ("candidate@viva.test", "Cara Candidate", Role::Candidate),
    ];
    let mut ids = Vec::new();
    for (email, name, role) in demo {
        let user = match User::find_by_email(&mut conn, email).await? {
            Some(user) => user,
            None => insert_user(&mut conn, &hasher, email, name, DEMO_PASSWORD, role).await?,
        };
        ids.push(user.id);
    }
    if let [admin, hr, candidate] = ids[..] {
        viva_store::models::user::link_demo_organisation(&mut conn, admin, hr, candidate).await?;
    }
    let questions = viva_service::question_bank::load(&mut conn)
        .await
        .map_err(|e| anyhow::anyhow!("loading the question bank: {e}"))?;
    println_out(&format!("question bank: {questions} questions loaded"));
    println_out("demo accounts (password for each: viva-demo-passphrase):");
    for (email, _, role) in demo {
        println_out(&format!("  {role:<9} {email}"));
    }
    Ok(())
}

/// Writes a line for the operator on standard output.
fn println_out(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}
