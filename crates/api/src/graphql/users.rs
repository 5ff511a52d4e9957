//! The signed-in user's own account (SPEC USER-1).

use async_graphql::{Context, InputObject, MaybeUndefined, Object};
use viva_service::users::{self, PreferencesUpdate, ProfileUpdate};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::types::User;

/// Queries about the signed-in user.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> AppResult<User> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        Ok(users::me(&services.service, &principal).await?.into())
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
    /// Candidates: whether every HR user's candidate search may find you (and see your
    /// resumes), not only your own HR user's.
    pub discoverable: Option<bool>,
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
        let services = ctx.services()?;
        Ok(users::update_profile(&services.service, &principal, input.into()).await?.into())
    }
}

impl From<PreferencesInput> for PreferencesUpdate {
    fn from(input: PreferencesInput) -> Self {
        PreferencesUpdate {
            language: input.language,
            email_notifications: input.email_notifications,
            in_app_notifications: input.in_app_notifications,
            discoverable: input.discoverable,
        }
    }
}

impl From<UpdateProfileInput> for ProfileUpdate {
    fn from(input: UpdateProfileInput) -> Self {
        ProfileUpdate {
            full_name: input.full_name,
            headline: change(input.headline),
            phone: change(input.phone),
            location: change(input.location),
            skills: input.skills,
            years_of_experience: change(input.years_of_experience),
            company: change(input.company),
            job_title: change(input.job_title),
            preferences: input.preferences.map(Into::into),
        }
    }
}

/// An optional field's change: omitted leaves it (`None`), `null` clears it (`Some(None)`).
fn change<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}
