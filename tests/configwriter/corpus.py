"""Realistic ~/.aws/config files, as exact bytes (kept in Python so no tool rewrites line endings).

Each entry is one style people really have: written by `aws configure sso`, by hand with
comments everywhere, by other tools (aws-sso-util, Granted, aws-sso-cli) with their markers,
with `[services]` and nested `s3 =` blocks, quoted names, CRLF from Windows, no final newline,
non-ASCII, tabs, odd spacing around `=`, `:` as the separator.
"""

from __future__ import annotations

CORPUS: dict[str, bytes] = {}


def _add(name: str, text: str, *, crlf: bool = False, final_newline: bool = True) -> None:
    if not final_newline:
        text = text.rstrip("\n")
    data = text.encode("utf-8")
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    CORPUS[name] = data


_add(
    "aws_cli_v2_configure_sso",
    """\
[profile ReadOnly-111111111111]
sso_session = corp2
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-west-1
[sso-session corp2]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
""",
)

_add(
    "hand_written_commented",
    """\
# ~/.aws/config -- maintained by hand, please keep tidy
# last reviewed 2024-03-01

[default]
# the default goes to the sandbox account
region = eu-central-1
output = json

# ---- corp SSO ---------------------------------------------------------
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1 ; not an inline comment, botocore keeps this
sso_registration_scopes = sso:account:access

; developer access
[profile dev]
sso_session = corp
sso_account_id = 111111111111
# PowerUser would be nicer but security said no
sso_role_name = Developer
region = eu-west-1

# production: read only!
[profile prod]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = eu-west-1
output = table

# end of file
""",
)

_add(
    "services_and_nested",
    """\
[default]
region = us-east-1
s3 =
    max_concurrent_requests = 20
    multipart_threshold = 64MB
services = local

[services local]
s3 =
  endpoint_url = http://localhost:4566
dynamodb =
  endpoint_url = http://localhost:8000

[profile localstack]
region = us-east-1
services = local
aws_access_key_id = test
aws_secret_access_key = test

[profile tuned]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Admin
s3 =
    addressing_style = path
    signature_version = s3v4
region = ap-southeast-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = ap-southeast-2
""",
)

_add(
    "quoted_names",
    """\
[profile "my dev"]
sso_session = "corp sso"
sso_account_id = 111111111111
sso_role_name = Developer

[sso-session "corp sso"]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-west-2

[profile 'single quoted']
region = us-west-2

[profile plain]
region = us-west-1
""",
)

_add(
    "crlf_windows",
    """\
[default]
region = us-east-1
output = json

[profile work]
sso_start_url = https://work.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444444444444
sso_role_name = AdministratorAccess
region = us-east-2
""",
    crlf=True,
)

_add(
    "no_final_newline",
    """\
[default]
region = us-east-1

[profile last]
sso_session = corp
sso_account_id = 555555555555
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1""",
    final_newline=False,
)

_add(
    "crlf_no_final_newline",
    """\
# windows, saved by notepad
[profile a]
region = eu-north-1
[profile b]
region = eu-south-1""",
    crlf=True,
    final_newline=False,
)

_add(
    "unicode",
    """\
# Konfiguration für das Team Ärger — “smart quotes” and emoji 🚀
[profile entwicklung]
# Zuständig: Jürgen Müller
sso_session = firma
sso_account_id = 666666666666
sso_role_name = Entwickler
region = eu-central-1

[sso-session firma]
sso_start_url = https://firma.awsapps.com/start
sso_region = eu-central-1
# 日本語のコメント
""",
)

_add(
    "aws_sso_util_populated",
    """\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile dev.Admin]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_name = dev
sso_account_id = 111111111111
sso_role_name = Admin
region = us-east-1
credential_process = aws-sso-util credential-process --profile dev.Admin
sso_auto_populated = true

[profile prod.ReadOnly]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_name = prod
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-1
credential_process = aws-sso-util credential-process --profile prod.ReadOnly
sso_auto_populated = true
""",
)

_add(
    "granted_generated",
    """\
[profile sandbox/AdministratorAccess]
granted_sso_start_url      = https://d-1234567890.awsapps.com/start
granted_sso_region         = us-east-1
granted_sso_account_id     = 777777777777
granted_sso_role_name      = AdministratorAccess
common_fate_generated_from = aws-sso
credential_process         = granted credential-process --profile sandbox/AdministratorAccess

[profile shared/ReadOnly]
granted_sso_start_url      = https://d-1234567890.awsapps.com/start
granted_sso_region         = us-east-1
granted_sso_account_id     = 888888888888
granted_sso_role_name      = ReadOnly
common_fate_generated_from = aws-sso
credential_process         = granted credential-process --profile shared/ReadOnly
""",
)

_add(
    "aws_sso_cli_block",
    """\
[default]
region = us-east-1

# BEGIN_AWS_SSO_CLI

[profile Default:000001111111:AWSAdministratorAccess]
credential_process = /usr/local/bin/aws-sso -u open -S "Default" process \
--arn arn:aws:iam::000001111111:role/AWSAdministratorAccess

[profile Default:000002222222:ReadOnly]
credential_process = /usr/local/bin/aws-sso -u open -S "Default" process --arn arn:aws:iam::000002222222:role/ReadOnly

# END_AWS_SSO_CLI

[profile mine]
region = eu-west-1
""",
)

_add(
    "assume_role_chain",
    """\
[profile base]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = OrganizationAccountAccessRole
region = us-east-1

[profile child]
role_arn = arn:aws:iam::999999999999:role/Deploy
source_profile = base
role_session_name = me@example.com
duration_seconds = 3600

[profile mfa]
role_arn = arn:aws:iam::999999999999:role/Admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/me

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
""",
)

_add(
    "odd_spacing_and_colon",
    """\
[default]
region=us-east-1
output   =    text
cli_pager: less
  [profile spacey]
[profile colon]
region: eu-west-3
output :json
\tcli_history = enabled
[profile trailing]\x20\x20\x20
region = sa-east-1\x20\x20\x20
""",
)

_add(
    "tabs_and_indent",
    """\
[profile tabbed]
\tregion = us-east-1
\toutput = json
\ts3 =
\t\tmax_bandwidth = 50MB/s

[profile spaces]
  region = us-west-2
  output = yaml
""",
)

_add(
    "unknown_sections",
    """\
[preview]
cloudfront = true
sdb = true

[plugins]
endpoint = awscli_plugin_endpoint
cli_legacy_plugin_path = /usr/lib/python3/site-packages

[profile dev]
region = us-east-1

[toolkit]
telemetry = false
""",
)

_add(
    "comments_only",
    """\
# nothing configured yet
# run `aws configure sso`
""",
)

_add("empty", "")

_add(
    "blank_lines_everywhere",
    """\


[default]

region = us-east-1


output = json



[profile gappy]


sso_session = corp


sso_account_id = 111111111111
sso_role_name = ReadOnly



[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1


""",
)

_add(
    "credential_process_and_keys",
    """\
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[profile vault]
credential_process = aws-vault exec dev --json
region = us-east-1

[profile legacy-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 121212121212
sso_role_name = Legacy
""",
)

_add(
    "profile_default_spelled_out",
    """\
[profile default]
region = us-east-1

[profile other]
region = us-east-2
""",
)

_add(
    "mixed_endings",
    "[default]\r\nregion = us-east-1\r\n\n[profile mixed]\nregion = us-east-2\r\noutput = json\n",
)

_add(
    "many_sessions_and_ssoenv_generated",
    """\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[sso-session partner]
sso_start_url = https://partner.awsapps.com/start
sso_region = eu-west-1

[profile corp-dev.Admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
ssoenv_generated = corp

[profile partner-x.ReadOnly]
sso_session = partner
sso_account_id = 313131313131
sso_role_name = ReadOnly
ssoenv_generated = partner

[profile handmade]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = us-west-2
""",
)

_add(
    "accented_comment",
    "# caf\xe9\n[profile x]\nregion = us-east-1\n",
)

_add(
    "section_with_no_keys",
    """\
[profile empty-one]
[profile empty-two]

# describes three
[profile three]
region = us-east-1
""",
)

_add(
    "default_last_indented_comment",
    """\
[profile first]
region = us-east-1
    # an indented comment
[default]
output = json
""",
)


# Files botocore (and so ssoenv) refuses: name -> (bytes, the line ssoenv must name).
REFUSED: dict[str, tuple[bytes, int]] = {
    # bytes that are not UTF-8 (a Latin-1 é in a comment)
    "latin1_comment": (b"# caf\xe9 cr\xe8me\n[profile latin]\nregion = us-east-1\n", 1),
    "bom": ("\ufeff[sso-session corp]\nsso_start_url = https://x/start\nsso_region = us-east-1\n".encode(), 1),
    "key_before_section": (b"region = us-east-1\n[profile a]\nregion = x\n", 1),
    "duplicate_key_elsewhere": (b"[profile a]\nregion = x\n\n[profile b]\nregion = y\nREGION = z\n", 6),
    "duplicate_section": (b"[profile a]\nregion = x\n[profile a]\nregion = y\n", 3),
    "unreadable_line": (b"[profile a]\nregion = x\njust words\n", 3),
    "nested_without_equals": (b"[profile a]\ns3 =\n  max_concurrent_requests 4\n", 2),
    "duplicate_key_in_default_blocks": (b"[DEFAULT]\nregion = x\n[profile a]\n[DEFAULT]\nregion = y\n", 5),
}
