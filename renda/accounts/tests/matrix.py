from renda.core.tests.matrix_support import Entry, everyone, logged_in

MATRIX = {
    # A logged-in user visiting the log-in page is sent on to the workbench.
    "accounts:login": Entry({**everyone(302), "anonymous": 200}),
    "accounts:logout": Entry(everyone(302), method="post", anonymous_to_login=False),
    "accounts:password_change": Entry(logged_in()),
    "accounts:otp_setup": Entry(logged_in()),
    # Only a user who has a confirmed device and is not yet verified needs this page; a
    # verified user may still open it (it does no harm), the public is sent to log in.
    "accounts:otp_verify": Entry(logged_in()),
}
