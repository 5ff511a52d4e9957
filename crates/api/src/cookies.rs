//! The refresh-token cookie.

use async_graphql::Context;

use crate::state::Services;

/// The cookie's name.
pub const REFRESH_COOKIE: &str = "viva_refresh";

/// Sets the refresh token as an HttpOnly, SameSite=Strict cookie scoped to `/graphql`.
pub fn set_refresh_cookie(ctx: &Context<'_>, services: &Services, token: &str) {
    let max_age = services.config.service.refresh_token_ttl.as_secs();
    let secure = if services.config.cookie_secure { "; Secure" } else { "" };
    ctx.append_http_header(
        http::header::SET_COOKIE,
        format!(
            "{REFRESH_COOKIE}={token}; Path=/graphql; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        ),
    );
}

/// Removes the refresh cookie.
pub fn clear_refresh_cookie(ctx: &Context<'_>, services: &Services) {
    let secure = if services.config.cookie_secure { "; Secure" } else { "" };
    ctx.append_http_header(
        http::header::SET_COOKIE,
        format!("{REFRESH_COOKIE}=; Path=/graphql; Max-Age=0; HttpOnly; SameSite=Strict{secure}"),
    );
}

/// The refresh token in a `Cookie` header, if present.
pub fn read_refresh_cookie(header: Option<&str>) -> Option<String> {
    header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_refresh_cookie_among_others() {
        assert_eq!(read_refresh_cookie(Some("a=1; viva_refresh=tok; b=2")).as_deref(), Some("tok"));
        assert_eq!(read_refresh_cookie(Some("viva_refresh=")), None);
        assert_eq!(read_refresh_cookie(Some("other=1")), None);
        assert_eq!(read_refresh_cookie(None), None);
    }
}
