"""Single sign-on per workspace: an owner connects an OIDC or SAML identity provider for the
workspace's email domain, and everyone at that domain signs in through it.

allauth's own ``openid_connect`` and ``saml`` providers run the protocols; ``adapter.py`` builds
their apps from the workspace's ``SsoConnection`` rows, so no provider settings live in
``settings.py``. ``forms.py`` refuses passwords and sign-ups for a required domain, and
``workflows.accounts.AccountAdapter.pre_login`` is the choke point every login passes.
"""
