//! The signed-in user's own account: reading it and changing its profile and preferences
//! (SPEC USER-1).

use viva_domain::Role;
use viva_domain::error::FieldError;
use viva_domain::profile::{self, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS};
use viva_store::models::session::Principal;
use viva_store::models::user::{ProfileChanges, User};

use crate::{Service, ServiceError, ServiceResult};

/// Preference changes; `None` leaves a preference as it is.
#[derive(Clone, Debug, Default)]
pub struct PreferencesUpdate {
    /// Interface language: en, es, fr, de, pt, it, nl, hi, ja or zh.
    pub language: Option<String>,
    /// Whether to send notifications by email.
    pub email_notifications: Option<bool>,
    /// Whether to show notifications in the app.
    pub in_app_notifications: Option<bool>,
    /// A candidate's choice to be found by every HR user's search.
    pub discoverable: Option<bool>,
}

/// Profile changes. For optional fields, `None` leaves the field as it is, `Some(None)` clears
/// it (as does an empty string) and `Some(Some(value))` sets it.
#[derive(Clone, Debug, Default)]
pub struct ProfileUpdate {
    /// Full name, up to 120 characters.
    pub full_name: Option<String>,
    /// One-line headline, up to 200 characters.
    pub headline: Option<Option<String>>,
    /// Phone number, 7 to 20 digits.
    pub phone: Option<Option<String>>,
    /// Location, up to 200 characters.
    pub location: Option<Option<String>>,
    /// Skills, up to 50 of up to 60 characters; duplicates are dropped.
    pub skills: Option<Vec<String>>,
    /// Years of professional experience, 0 to 70.
    pub years_of_experience: Option<Option<i32>>,
    /// Employer; HR users and admins only.
    pub company: Option<Option<String>>,
    /// Job title; HR users and admins only.
    pub job_title: Option<Option<String>>,
    /// Preferences.
    pub preferences: Option<PreferencesUpdate>,
}

/// The principal's account; `UNAUTHENTICATED` if it no longer exists.
pub async fn me(service: &Service, principal: &Principal) -> ServiceResult<User> {
    let mut conn = service.pool.get().await?;
    User::find(&mut conn, principal.user_id).await?.ok_or(ServiceError::Unauthenticated("sign in to do this"))
}

/// Updates the principal's profile and preferences; every field is checked and all invalid
/// fields are reported together. Returns the updated account.
pub async fn update_profile(
    service: &Service,
    principal: &Principal,
    update: ProfileUpdate,
) -> ServiceResult<User> {
    let changes = profile_changes(update, principal.role)?;
    let mut conn = service.pool.get().await?;
    Ok(User::update_profile(&mut conn, principal.user_id, &changes).await?)
}

/// Field errors gathered while checking an input, so all are reported at once.
#[derive(Default)]
struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// The value if it is valid; otherwise records the error.
    fn keep<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    /// A change to an optional field: omitted leaves it, cleared clears it, a value is checked.
    fn optional<T, U>(
        &mut self,
        value: Option<Option<T>>,
        check: impl FnOnce(T) -> Result<Option<U>, FieldError>,
    ) -> Option<Option<U>> {
        match value {
            None => None,
            Some(None) => Some(None),
            Some(Some(v)) => self.keep(check(v)),
        }
    }
}

/// Checks every field of the update and collects all errors.
fn profile_changes(update: ProfileUpdate, role: Role) -> ServiceResult<ProfileChanges> {
    let mut errors = FieldErrors::default();
    let employer_fields = update.company.is_some() || update.job_title.is_some();
    if employer_fields && role == Role::Candidate {
        errors.0.push(FieldError::new("company", "company and job title are for HR users and admins"));
    }
    let short =
        |field: &'static str| move |v: String| profile::optional_text(&v, field, MAX_SHORT_TEXT_CHARS);
    let mut changes = ProfileChanges {
        full_name: update
            .full_name
            .and_then(|v| errors.keep(profile::required_text(&v, "fullName", MAX_NAME_CHARS))),
        headline: errors.optional(update.headline, short("headline")),
        location: errors.optional(update.location, short("location")),
        company: errors.optional(update.company, short("company")),
        job_title: errors.optional(update.job_title, short("jobTitle")),
        phone: errors.optional(update.phone, |v| profile::phone(&v, "phone")),
        skills: update.skills.and_then(|v| errors.keep(profile::skills(&v, "skills"))),
        years_of_experience: errors.optional(update.years_of_experience, |v| {
            profile::years_of_experience(v, "yearsOfExperience").map(Some)
        }),
        ..ProfileChanges::default()
    };
    if let Some(preferences) = update.preferences {
        changes.language =
            preferences.language.and_then(|v| errors.keep(profile::language(&v, "preferences.language")));
        changes.email_notifications = preferences.email_notifications;
        changes.in_app_notifications = preferences.in_app_notifications;
        changes.discoverable = preferences.discoverable;
    }
    if errors.0.is_empty() { Ok(changes) } else { Err(ServiceError::BadInput(errors.0)) }
}
