//! User accounts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::{Role, UserId, UserStatus};

use crate::QueryResult;
use crate::schema::users;

/// A user account as stored, without its password hash.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// The account's id.
    #[diesel(deserialize_as = Uuid)]
    pub id: UserId,
    /// Normalised email address, unique.
    pub email: String,
    /// When the address was proven, if it was.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Full name.
    pub full_name: String,
    /// What the user may do.
    #[diesel(deserialize_as = String)]
    pub role: Role,
    /// Whether the user may sign in.
    #[diesel(deserialize_as = String)]
    pub status: UserStatus,
    /// One-line professional headline.
    pub headline: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Where the user lives or works.
    pub location: Option<String>,
    /// Skills, de-duplicated, in the user's order.
    pub skills: Vec<String>,
    /// Years of professional experience.
    pub years_of_experience: Option<i32>,
    /// Employer (HR users).
    pub company: Option<String>,
    /// Job title (HR users).
    pub job_title: Option<String>,
    /// Preferred interface language.
    pub language: String,
    /// Whether to send email notifications.
    pub email_notifications: bool,
    /// Whether to show in-app notifications.
    pub in_app_notifications: bool,
    /// The admin an HR user is mapped to.
    pub mapped_admin_id: Option<Uuid>,
    /// The HR user a candidate is assigned to.
    pub assigned_hr_id: Option<Uuid>,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new account.
#[derive(Clone, Copy, Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    /// The new account's id.
    #[diesel(serialize_as = Uuid)]
    pub id: UserId,
    /// Normalised email address.
    pub email: &'a str,
    /// An argon2id PHC string.
    pub password_hash: &'a str,
    /// Full name.
    pub full_name: &'a str,
    /// Role.
    #[diesel(serialize_as = String)]
    pub role: Role,
    /// Set when the address is already known to be good (accounts made by the CLI).
    pub email_verified_at: Option<DateTime<Utc>>,
}

/// Profile changes; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct ProfileChanges {
    /// New full name.
    pub full_name: Option<String>,
    /// New headline.
    pub headline: Option<Option<String>>,
    /// New phone number.
    pub phone: Option<Option<String>>,
    /// New location.
    pub location: Option<Option<String>>,
    /// New skills list.
    pub skills: Option<Vec<String>>,
    /// New years of experience.
    pub years_of_experience: Option<Option<i32>>,
    /// New employer.
    pub company: Option<Option<String>>,
    /// New job title.
    pub job_title: Option<Option<String>>,
    /// New interface language.
    pub language: Option<String>,
    /// New email-notification choice.
    pub email_notifications: Option<bool>,
    /// New in-app-notification choice.
    pub in_app_notifications: Option<bool>,
}

impl User {
    /// Inserts a new account. Fails with a unique violation on `users_email_key` when the
    /// address is taken.
    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewUser<'_>) -> QueryResult<User> {
        diesel::insert_into(users::table).values(*new).returning(User::as_returning()).get_result(conn).await
    }

    /// The account with this id, if any.
    pub async fn find(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<Option<User>> {
        users::table.find(id.0).select(User::as_select()).first(conn).await.optional()
    }

    /// The account with this normalised address, with its password hash, if any.
    pub async fn find_with_password_hash(
        conn: &mut AsyncPgConnection,
        email: &str,
    ) -> QueryResult<Option<(User, String)>> {
        users::table
            .filter(users::email.eq(email))
            .select((User::as_select(), users::password_hash))
            .first(conn)
            .await
            .optional()
    }

    /// The password hash of the account with this id, if any.
    pub async fn password_hash(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<Option<String>> {
        users::table.find(id.0).select(users::password_hash).first(conn).await.optional()
    }

    /// The account with this normalised address, if any.
    pub async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<User>> {
        users::table.filter(users::email.eq(email)).select(User::as_select()).first(conn).await.optional()
    }

    /// Applies profile changes and returns the updated account.
    pub async fn update_profile(
        conn: &mut AsyncPgConnection,
        id: UserId,
        changes: &ProfileChanges,
    ) -> QueryResult<User> {
        diesel::update(users::table.find(id.0))
            .set((changes, users::updated_at.eq(diesel::dsl::now)))
            .returning(User::as_returning())
            .get_result(conn)
            .await
    }

    /// Replaces the password hash.
    pub async fn set_password_hash(conn: &mut AsyncPgConnection, id: UserId, hash: &str) -> QueryResult<()> {
        diesel::update(users::table.find(id.0))
            .set((users::password_hash.eq(hash), users::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await
            .map(drop)
    }

    /// Marks the address as verified, once.
    pub async fn mark_email_verified(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<()> {
        diesel::update(users::table.find(id.0).filter(users::email_verified_at.is_null()))
            .set((users::email_verified_at.eq(diesel::dsl::now), users::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await
            .map(drop)
    }

    /// Records a successful sign-in.
    pub async fn record_login(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<()> {
        diesel::update(users::table.find(id.0))
            .set(users::last_login_at.eq(diesel::dsl::now))
            .execute(conn)
            .await
            .map(drop)
    }

    /// Activates or deactivates an account; returns whether it changed.
    pub async fn set_status(
        conn: &mut AsyncPgConnection,
        id: UserId,
        status: UserStatus,
    ) -> QueryResult<bool> {
        let changed = diesel::update(users::table.find(id.0).filter(users::status.ne(status.as_str())))
            .set((users::status.eq(status.as_str()), users::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
        Ok(changed == 1)
    }

    /// Deletes an account and, through the foreign keys, its sessions and tokens; the audit log
    /// keeps its rows without the link. Returns whether the account existed.
    pub async fn delete(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<bool> {
        Ok(diesel::delete(users::table.find(id.0)).execute(conn).await? == 1)
    }

    /// How many accounts have this role.
    pub async fn count_with_role(conn: &mut AsyncPgConnection, role: Role) -> QueryResult<i64> {
        users::table.filter(users::role.eq(role.as_str())).count().get_result(conn).await
    }
}

/// Maps a demo HR user to a demo admin and assigns a demo candidate to the HR user, unless they
/// are linked already. Used by `viva seed` only.
pub async fn link_demo_organisation(
    conn: &mut AsyncPgConnection,
    admin: UserId,
    hr: UserId,
    candidate: UserId,
) -> QueryResult<()> {
    diesel::update(users::table.find(hr.0).filter(users::mapped_admin_id.is_null()))
        .set(users::mapped_admin_id.eq(admin.0))
        .execute(conn)
        .await?;
    diesel::update(users::table.find(candidate.0).filter(users::assigned_hr_id.is_null()))
        .set(users::assigned_hr_id.eq(hr.0))
        .execute(conn)
        .await?;
    Ok(())
}
