"""Project-wide tests: the ones that look at every app at once (the permission matrix over
every URL, security events across log in and the apps' pages). They sit above every app's
layer, next to renda/urls.py, so they may import any app."""
