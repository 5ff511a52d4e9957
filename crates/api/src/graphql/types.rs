//! Output types shared by several features.

use async_graphql::{ComplexObject, Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use viva_store::models::user::User as StoredUser;

/// What a user may do on the platform.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::Role", name = "Role")]
pub enum GqlRole {
    /// Runs the platform. Created only by the CLI or by another admin.
    Admin,
    /// Schedules and reviews interviews for the candidates assigned to them.
    Hr,
    /// Takes interviews and practises.
    Candidate,
}

/// Whether an account may sign in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::UserStatus", name = "UserStatus")]
pub enum GqlUserStatus {
    /// May sign in and act.
    Active,
    /// Turned off by an admin.
    Deactivated,
}

/// A user's notification and display preferences.
#[derive(SimpleObject, Clone, Debug)]
pub struct Preferences {
    /// Interface language, a BCP 47 primary tag such as `en`.
    pub language: String,
    /// Whether to send notifications by email.
    pub email_notifications: bool,
    /// Whether to show notifications in the app.
    pub in_app_notifications: bool,
}

/// A user account and its profile.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct User {
    /// The account's id.
    pub id: ID,
    /// Email address, normalised to lower case.
    pub email: String,
    /// Whether the address has been verified.
    pub email_verified: bool,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: GqlRole,
    /// Whether the account may sign in.
    pub status: GqlUserStatus,
    /// One-line professional headline.
    pub headline: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Where the user lives or works.
    pub location: Option<String>,
    /// Skills, in the user's order.
    pub skills: Vec<String>,
    /// Years of professional experience.
    pub years_of_experience: Option<i32>,
    /// Employer (HR users).
    pub company: Option<String>,
    /// Job title (HR users).
    pub job_title: Option<String>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub(crate) preferences: Preferences,
}

#[ComplexObject]
impl User {
    /// Notification and display preferences.
    async fn preferences(&self) -> &Preferences {
        &self.preferences
    }
}

impl From<StoredUser> for User {
    fn from(user: StoredUser) -> Self {
        Self {
            id: ID(user.id.to_string()),
            email: user.email,
            email_verified: user.email_verified_at.is_some(),
            full_name: user.full_name,
            role: user.role.into(),
            status: user.status.into(),
            headline: user.headline,
            phone: user.phone,
            location: user.location,
            skills: user.skills,
            years_of_experience: user.years_of_experience,
            company: user.company,
            job_title: user.job_title,
            created_at: user.created_at,
            last_login_at: user.last_login_at,
            preferences: Preferences {
                language: user.language,
                email_notifications: user.email_notifications,
                in_app_notifications: user.in_app_notifications,
            },
        }
    }
}
