//! Roles and account states.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::UnknownVariant;

/// What a user may do on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Runs the platform. Created only by the CLI or by another admin.
    Admin,
    /// Schedules and reviews interviews for the candidates assigned to them.
    Hr,
    /// Takes interviews and practises.
    Candidate,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Hr, Role::Candidate];

    /// The stable text form stored in the database and shown to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Hr => "HR",
            Role::Candidate => "CANDIDATE",
        }
    }

    /// Whether anyone may choose this role at self-service registration.
    pub fn is_self_registrable(self) -> bool {
        matches!(self, Role::Hr | Role::Candidate)
    }
}

/// Whether an account may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// May sign in and act.
    Active,
    /// Turned off by an admin: refused on the next request, whatever tokens it holds.
    Deactivated,
}

impl UserStatus {
    /// The stable text form stored in the database and shown to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "ACTIVE",
            UserStatus::Deactivated => "DEACTIVATED",
        }
    }
}

macro_rules! text_enum {
    ($ty:ty, $name:literal, [$($variant:expr),+]) => {
        impl FromStr for $ty {
            type Err = UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                [$($variant),+]
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownVariant { kind: $name, value: s.to_owned() })
            }
        }

        impl TryFrom<String> for $ty {
            type Error = UnknownVariant;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.as_str().to_owned()
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

text_enum!(Role, "role", [Role::Admin, Role::Hr, Role::Candidate]);
text_enum!(UserStatus, "user status", [UserStatus::Active, UserStatus::Deactivated]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn only_hr_and_candidates_register_themselves() {
        assert!(!Role::Admin.is_self_registrable());
        assert!(Role::Hr.is_self_registrable());
        assert!(Role::Candidate.is_self_registrable());
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for status in [UserStatus::Active, UserStatus::Deactivated] {
            assert_eq!(UserStatus::try_from(status.to_string()).unwrap(), status);
        }
    }
}
