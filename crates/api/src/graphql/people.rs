//! People as others see them (the public summary, the role) and reading id arguments: what
//! every feature's types share.

use async_graphql::{Context, Enum, ID, SimpleObject};
use uuid::Uuid;
use viva_domain::UserId;
use viva_store::models::user::{Person, User as StoredUser};

use crate::error::{AppError, AppResult};
use crate::loaders::{UserLoader, load_one};

/// Loads the public summary of a user through the request's DataLoader.
pub async fn person(ctx: &Context<'_>, id: Option<UserId>) -> AppResult<Option<PersonSummary>> {
    let Some(id) = id else { return Ok(None) };
    Ok(load_one::<UserLoader, _>(ctx, id).await?.map(PersonSummary::from))
}

/// What anyone who deals with a person may see of them: no contact details.
#[derive(SimpleObject, Clone, Debug)]
pub struct PersonSummary {
    /// The account's id.
    pub id: ID,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: GqlRole,
    /// One-line professional headline.
    pub headline: Option<String>,
    /// Employer (HR users and admins).
    pub company: Option<String>,
    /// Job title (HR users and admins).
    pub job_title: Option<String>,
}

impl From<Person> for PersonSummary {
    fn from(person: Person) -> Self {
        Self {
            id: ID(person.id.to_string()),
            full_name: person.full_name,
            role: person.role.into(),
            headline: person.headline,
            company: person.company,
            job_title: person.job_title,
        }
    }
}

impl From<StoredUser> for PersonSummary {
    fn from(user: StoredUser) -> Self {
        Person::from(user).into()
    }
}

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

/// Reads an id argument.
pub fn parse_id<T: From<Uuid>>(id: &ID, field: &'static str) -> AppResult<T> {
    id.parse::<Uuid>().map(T::from).map_err(|_| AppError::bad_field(field, "is not a valid id"))
}
