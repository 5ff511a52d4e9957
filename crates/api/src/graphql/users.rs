//! The signed-in user's own account (SPEC USER-1).

use async_graphql::{Context, InputObject, MaybeUndefined, Object};
use viva_domain::Role;
use viva_domain::error::FieldError;
use viva_domain::profile::{self, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS};
use viva_store::models::user::{ProfileChanges, User as StoredUser};

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::types::User;

/// Queries about the signed-in user.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> AppResult<User> {
        let principal = ctx.principal()?;
        let mut conn = ctx.services()?.pool.get().await?;
        let user = StoredUser::find(&mut conn, principal.user_id)
            .await?
            .ok_or(AppError::Unauthenticated("sign in to do this"))?;
        Ok(user.into())
    }
}

/// Preference changes; omitted fields stay as they are.
#[derive(InputObject, Default)]
pub struct PreferencesInput {
    /// Interface language: en, es, fr, de, pt, it, nl, hi, ja or zh.
    pub language: Option<String>,
    /// Whether to send notifications by email.
    pub email_notifications: Option<bool>,
    /// Whether to show notifications in the app.
    pub in_app_notifications: Option<bool>,
}

/// Profile changes. An omitted field stays as it is; `null` or an empty string clears an
/// optional field.
#[derive(InputObject, Default)]
pub struct UpdateProfileInput {
    /// Full name, up to 120 characters.
    pub full_name: Option<String>,
    /// One-line headline, up to 200 characters.
    pub headline: MaybeUndefined<String>,
    /// Phone number, 7 to 20 digits.
    pub phone: MaybeUndefined<String>,
    /// Location, up to 200 characters.
    pub location: MaybeUndefined<String>,
    /// Skills, up to 50 of up to 60 characters; duplicates are dropped.
    pub skills: Option<Vec<String>>,
    /// Years of professional experience, 0 to 70.
    pub years_of_experience: MaybeUndefined<i32>,
    /// Employer; HR users and admins only.
    pub company: MaybeUndefined<String>,
    /// Job title; HR users and admins only.
    pub job_title: MaybeUndefined<String>,
    /// Preferences.
    pub preferences: Option<PreferencesInput>,
}

/// Mutations of the signed-in user's own account.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Updates the signed-in user's profile and preferences; every field is checked and all
    /// invalid fields are reported together.
    async fn update_profile(&self, ctx: &Context<'_>, input: UpdateProfileInput) -> AppResult<User> {
        let principal = ctx.principal()?;
        let changes = profile_changes(input, principal.role)?;
        let mut conn = ctx.services()?.pool.get().await?;
        Ok(StoredUser::update_profile(&mut conn, principal.user_id, &changes).await?.into())
    }
}

/// Field errors gathered while checking an input, so all are reported at once.
#[derive(Default)]
struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// The value if it is valid; otherwise records the error.
    fn keep<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    /// A change to an optional field: omitted leaves it, `null` clears it, a value is checked.
    fn optional<T, U>(
        &mut self,
        value: MaybeUndefined<T>,
        check: impl FnOnce(T) -> Result<Option<U>, FieldError>,
    ) -> Option<Option<U>> {
        match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => self.keep(check(v)),
        }
    }
}

/// Checks every field of the input and collects all errors.
fn profile_changes(input: UpdateProfileInput, role: Role) -> Result<ProfileChanges, AppError> {
    let mut errors = FieldErrors::default();
    let employer_fields = !matches!(input.company, MaybeUndefined::Undefined)
        || !matches!(input.job_title, MaybeUndefined::Undefined);
    if employer_fields && role == Role::Candidate {
        errors.0.push(FieldError::new("company", "company and job title are for HR users and admins"));
    }
    let short =
        |field: &'static str| move |v: String| profile::optional_text(&v, field, MAX_SHORT_TEXT_CHARS);
    let mut changes = ProfileChanges {
        full_name: input
            .full_name
            .and_then(|v| errors.keep(profile::required_text(&v, "fullName", MAX_NAME_CHARS))),
        headline: errors.optional(input.headline, short("headline")),
        location: errors.optional(input.location, short("location")),
        company: errors.optional(input.company, short("company")),
        job_title: errors.optional(input.job_title, short("jobTitle")),
        phone: errors.optional(input.phone, |v| profile::phone(&v, "phone")),
        skills: input.skills.and_then(|v| errors.keep(profile::skills(&v, "skills"))),
        years_of_experience: errors.optional(input.years_of_experience, |v| {
            profile::years_of_experience(v, "yearsOfExperience").map(Some)
        }),
        ..ProfileChanges::default()
    };
    if let Some(preferences) = input.preferences {
        changes.language =
            preferences.language.and_then(|v| errors.keep(profile::language(&v, "preferences.language")));
        changes.email_notifications = preferences.email_notifications;
        changes.in_app_notifications = preferences.in_app_notifications;
    }
    if errors.0.is_empty() { Ok(changes) } else { Err(AppError::BadInput(errors.0)) }
}
