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
    pub mapped_admin_id: Option<UserId>,
    /// The HR user a candidate is assigned to.
    pub assigned_hr_id: Option<UserId>,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
    /// A candidate's choice to be found by every HR user's search, not only their own HR
    /// user's (off by default).
    pub discoverable: bool,
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
    /// New discoverability choice.
    pub discoverable: Option<bool>,
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
        if changed == 1 {
            crate::events::publish(conn, &crate::events::Event::access_changed(id)).await?;
        }
        Ok(changed == 1)
    }

    /// Deletes an account and, through the foreign keys, its sessions and tokens; the audit log
    /// keeps its rows without the link, and HR users mapped to the account (an admin's) are
    /// unmapped. Returns the users whose access changed: the account and those HR users; none
    /// when there was no such account.
    pub async fn delete(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<Vec<UserId>> {
        let unmapped: Vec<Uuid> = users::table
            .filter(users::mapped_admin_id.eq(id.0))
            .select(users::id)
            .for_update()
            .load(conn)
            .await?;
        if diesel::delete(users::table.find(id.0)).execute(conn).await? == 0 {
            return Ok(Vec::new());
        }
        let changed: Vec<UserId> = std::iter::once(id).chain(unmapped.into_iter().map(UserId)).collect();
        for user in &changed {
            crate::events::publish(conn, &crate::events::Event::access_changed(*user)).await?;
        }
        Ok(changed)
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
    let mapped = diesel::update(users::table.find(hr.0).filter(users::mapped_admin_id.is_null()))
        .set(users::mapped_admin_id.eq(admin.0))
        .execute(conn)
        .await?;
    if mapped == 1 {
        crate::events::publish(conn, &crate::events::Event::access_changed(hr)).await?;
    }
    diesel::update(users::table.find(candidate.0).filter(users::assigned_hr_id.is_null()))
        .set(users::assigned_hr_id.eq(hr.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// How to order a user list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UserSort {
    /// Newest accounts first.
    #[default]
    NewestFirst,
    /// Oldest accounts first.
    OldestFirst,
    /// By full name, A to Z.
    Name,
    /// By email, A to Z.
    Email,
}

/// A keyset position in a user list: the sort key of the last row seen, and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserCursor {
    /// For the time orders.
    Time(DateTime<Utc>, Uuid),
    /// For the name and email orders.
    Text(String, Uuid),
}

impl UserCursor {
    /// The cursor of a row in the given order.
    pub fn of(user: &User, sort: UserSort) -> Self {
        match sort {
            UserSort::NewestFirst | UserSort::OldestFirst => UserCursor::Time(user.created_at, user.id.0),
            UserSort::Name => UserCursor::Text(user.full_name.clone(), user.id.0),
            UserSort::Email => UserCursor::Text(user.email.clone(), user.id.0),
        }
    }
}

/// Which users to list.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only this status.
    pub status: Option<UserStatus>,
    /// Only names or emails containing this text (case-insensitive).
    pub text: Option<String>,
    /// Only candidates assigned to this HR user.
    pub assigned_hr: Option<UserId>,
    /// Only HR users mapped to this admin.
    pub mapped_admin: Option<UserId>,
}

/// Escapes `%`, `_` and `\` so text matches literally in `LIKE`.
fn like_literal(text: &str) -> String {
    text.chars().fold(String::with_capacity(text.len() + 2), |mut out, c| {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// Users matching the filter in the given order, after the cursor; `limit` rows at most. A
/// cursor of the wrong kind for the order is ignored (the list starts over).
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UserFilter,
    sort: UserSort,
    after: Option<&UserCursor>,
    limit: i64,
) -> QueryResult<Vec<User>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};

    let mut query = users::table.select(User::as_select()).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(users::status.eq(status.as_str()));
    }
    if let Some(hr) = filter.assigned_hr {
        query = query.filter(users::assigned_hr_id.eq(hr.0));
    }
    if let Some(admin) = filter.mapped_admin {
        query = query.filter(users::mapped_admin_id.eq(admin.0));
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // The same expression as users_search_trgm_idx, so the index serves it.
        let pattern = format!("%{}%", like_literal(text));
        query = query
            .filter(sql::<Bool>("(users.full_name || ' ' || users.email) ILIKE ").bind::<Text, _>(pattern));
    }
    query = match (sort, after) {
        (UserSort::NewestFirst, Some(UserCursor::Time(at, id))) => {
            query.filter(users::created_at.lt(*at).or(users::created_at.eq(*at).and(users::id.lt(*id))))
        }
        (UserSort::OldestFirst, Some(UserCursor::Time(at, id))) => {
            query.filter(users::created_at.gt(*at).or(users::created_at.eq(*at).and(users::id.gt(*id))))
        }
        (UserSort::Name, Some(UserCursor::Text(name, id))) => query.filter(
            users::full_name.gt(name.clone()).or(users::full_name.eq(name.clone()).and(users::id.gt(*id))),
        ),
        (UserSort::Email, Some(UserCursor::Text(email, id))) => query
            .filter(users::email.gt(email.clone()).or(users::email.eq(email.clone()).and(users::id.gt(*id)))),
        _ => query,
    };
    query = match sort {
        UserSort::NewestFirst => query.order((users::created_at.desc(), users::id.desc())),
        UserSort::OldestFirst => query.order((users::created_at.asc(), users::id.asc())),
        UserSort::Name => query.order((users::full_name.asc(), users::id.asc())),
        UserSort::Email => query.order((users::email.asc(), users::id.asc())),
    };
    crate::limit::limited(query, limit).load(conn).await
}

/// The users with these ids (for DataLoaders: one query for many ids).
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[UserId]) -> QueryResult<Vec<User>> {
    users::table.filter(users::id.eq_any(ids)).select(User::as_select()).load(conn).await
}

/// What anyone who deals with a person may see of them: no contact details, nothing private.
/// Pages that show people read these columns only.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Person {
    /// The account's id.
    #[diesel(deserialize_as = Uuid)]
    pub id: UserId,
    /// Full name.
    pub full_name: String,
    /// What the user may do.
    #[diesel(deserialize_as = String)]
    pub role: Role,
    /// One-line professional headline.
    pub headline: Option<String>,
    /// Employer (HR users).
    pub company: Option<String>,
    /// Job title (HR users).
    pub job_title: Option<String>,
}

impl From<User> for Person {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            full_name: user.full_name,
            role: user.role,
            headline: user.headline,
            company: user.company,
            job_title: user.job_title,
        }
    }
}

/// The people with these ids.
pub async fn people(conn: &mut AsyncPgConnection, ids: &[UserId]) -> QueryResult<Vec<Person>> {
    users::table.filter(users::id.eq_any(ids)).select(Person::as_select()).load(conn).await
}

/// Locks a user's row for the rest of the transaction and returns it, so that checks on it
/// (is this HR user mapped?) cannot be raced by a concurrent change.
pub async fn lock(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<Option<User>> {
    users::table.find(id.0).select(User::as_select()).for_update().first(conn).await.optional()
}

/// Maps an HR user to an admin if they are not mapped yet; returns whether it happened.
pub async fn map_hr(conn: &mut AsyncPgConnection, hr: UserId, admin: UserId) -> QueryResult<bool> {
    let changed = diesel::update(
        users::table
            .find(hr.0)
            .filter(users::role.eq(Role::Hr.as_str()))
            .filter(users::mapped_admin_id.is_null()),
    )
    .set((users::mapped_admin_id.eq(admin.0), users::updated_at.eq(diesel::dsl::now)))
    .execute(conn)
    .await?;
    // What the HR user may do changed: cached sessions must see it.
    if changed == 1 {
        crate::events::publish(conn, &crate::events::Event::access_changed(hr)).await?;
    }
    Ok(changed == 1)
}

/// Unmaps an HR user and unassigns their candidates; returns the candidates unassigned, or
/// `None` if the user was not a mapped HR user.
pub async fn unmap_hr(conn: &mut AsyncPgConnection, hr: UserId) -> QueryResult<Option<Vec<UserId>>> {
    let changed = diesel::update(users::table.find(hr.0).filter(users::mapped_admin_id.is_not_null()))
        .set((users::mapped_admin_id.eq(None::<Uuid>), users::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
    if changed == 0 {
        return Ok(None);
    }
    crate::events::publish(conn, &crate::events::Event::access_changed(hr)).await?;
    let candidates: Vec<Uuid> = diesel::update(users::table.filter(users::assigned_hr_id.eq(hr.0)))
        .set((users::assigned_hr_id.eq(None::<Uuid>), users::updated_at.eq(diesel::dsl::now)))
        .returning(users::id)
        .get_results(conn)
        .await?;
    Ok(Some(candidates.into_iter().map(UserId).collect()))
}

/// Assigns (or reassigns) a candidate to an HR user; returns the HR user they had before.
pub async fn assign_candidate(
    conn: &mut AsyncPgConnection,
    candidate: UserId,
    hr: Option<UserId>,
) -> QueryResult<Option<UserId>> {
    let previous: Option<Option<UserId>> = users::table
        .find(candidate.0)
        .select(users::assigned_hr_id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    diesel::update(users::table.find(candidate.0).filter(users::role.eq(Role::Candidate.as_str())))
        .set((users::assigned_hr_id.eq(hr.map(|h| h.0)), users::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
    Ok(previous.flatten())
}

/// Accounts by role and status: `(role, status, count)`.
pub async fn count_by_role_and_status(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(String, String, i64)>> {
    users::table
        .group_by((users::role, users::status))
        .select((users::role, users::status, diesel::dsl::count_star()))
        .load(conn)
        .await
}

/// The HR user a candidate is assigned to now, if that HR user is mapped to an admin: the one
/// HR user who may act on the candidate's data.
pub async fn responsible_hr(conn: &mut AsyncPgConnection, candidate: UserId) -> QueryResult<Option<UserId>> {
    let hr = diesel::alias!(users as hr);
    let found: Option<Uuid> = users::table
        .inner_join(hr.on(hr.field(users::id).eq(users::assigned_hr_id.assume_not_null())))
        .filter(users::id.eq(candidate.0))
        .filter(hr.field(users::mapped_admin_id).is_not_null())
        .select(hr.field(users::id))
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(UserId))
}

/// Erases an account: strips the client addresses from audit entries about it (the entries
/// stay, without personal data), then deletes the row, which removes its sessions, tokens,
/// emails, mapping requests, conversations, messages and notifications with it. Returns, like
/// [`User::delete`], the users whose access changed.
pub async fn erase(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<Vec<UserId>> {
    use diesel::sql_types::Text;

    use crate::schema::audit_log;
    diesel::update(
        audit_log::table.filter(audit_log::actor_id.eq(id.0).or(audit_log::target_user_id.eq(id.0))),
    )
    .set(audit_log::ip_address.eq(None::<String>))
    .execute(conn)
    .await?;
    // Audit details are flat objects of ids and counts: the erased person's id becomes "erased".
    let needle = id.0.to_string();
    diesel::sql_query(
        "UPDATE audit_log SET details = (SELECT COALESCE(jsonb_object_agg(key, CASE WHEN value = to_jsonb($1::text) \
         THEN to_jsonb('erased'::text) ELSE value END), '{}'::jsonb) FROM jsonb_each(details)) \
         WHERE strpos(details::text, $1) > 0",
    )
    .bind::<Text, _>(&needle)
    .execute(conn)
    .await?;
    // Other people's notifications about the erased person name them: they go too.
    diesel::sql_query("DELETE FROM notifications WHERE strpos(data::text, $1) > 0")
        .bind::<Text, _>(&needle)
        .execute(conn)
        .await?;
    User::delete(conn, id).await
}
