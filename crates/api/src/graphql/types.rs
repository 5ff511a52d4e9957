//! The user account type, with what it links to.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{ComplexObject, Context, Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use viva_store::models::user::User as StoredUser;

use crate::error::{AppError, AppResult};
pub use crate::graphql::people::{GqlRole, PersonSummary, parse_id, person};

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
    /// Candidates: whether every HR user's candidate search may find them (and see their
    /// resumes), not only their own HR user's. Off by default.
    pub discoverable: bool,
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
    #[graphql(skip)]
    pub(crate) mapped_admin_id: Option<viva_domain::UserId>,
    #[graphql(skip)]
    pub(crate) assigned_hr_id: Option<viva_domain::UserId>,
}

#[ComplexObject]
impl User {
    /// Notification and display preferences.
    async fn preferences(&self) -> &Preferences {
        &self.preferences
    }

    /// For HR users: the admin they are mapped to, if any.
    async fn mapped_admin(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.mapped_admin_id).await
    }

    /// For candidates: the HR user they are assigned to, if any.
    async fn assigned_hr(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.assigned_hr_id).await
    }

    /// For candidates: their newest scheduled interview (its status, and its score once
    /// evaluated), as far as the viewer may see it: the candidate, an admin, or the HR user
    /// responsible for that interview.
    async fn latest_interview(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<crate::graphql::interviews::Interview>> {
        use crate::auth::context::ContextExt;
        if self.role != GqlRole::Candidate {
            return Ok(None);
        }
        let principal = ctx.principal()?;
        let id = parse_id(&self.id, "id")?;
        let loader = ctx
            .data::<DataLoader<crate::loaders::LatestInterviewLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("interview loader missing from the request data"))?;
        let Some(interview) = loader.load_one(id).await? else { return Ok(None) };
        // This user is a candidate, loaded in this request: the HR user assigned now (the
        // policy checks that the viewer is that user and mapped).
        let responsible = self.assigned_hr_id;
        Ok(crate::graphql::interviews::Interview::for_viewer(&principal, interview, responsible))
    }
}

impl User {
    /// The account a registration would have made, made for an address that already has one:
    /// the same answer as a new registration (a fresh id that matches nothing), so registration
    /// cannot tell who has an account.
    pub(crate) fn unsaved(email: String, full_name: String, role: viva_domain::Role) -> Self {
        Self {
            id: ID(viva_domain::UserId::new().to_string()),
            email,
            email_verified: false,
            full_name,
            role: role.into(),
            status: viva_domain::UserStatus::Active.into(),
            headline: None,
            phone: None,
            location: None,
            skills: Vec::new(),
            years_of_experience: None,
            company: None,
            job_title: None,
            created_at: chrono::Utc::now(),
            last_login_at: None,
            preferences: Preferences {
                language: "en".to_owned(),
                email_notifications: true,
                in_app_notifications: true,
                discoverable: false,
            },
            mapped_admin_id: None,
            assigned_hr_id: None,
        }
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
                discoverable: user.discoverable,
            },
            mapped_admin_id: user.mapped_admin_id,
            assigned_hr_id: user.assigned_hr_id,
        }
    }
}
