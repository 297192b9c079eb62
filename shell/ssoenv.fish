# ssoenv shell integration for fish, printed by `ssoenv hook fish`.
# In ~/.config/fish/config.fish:   ssoenv hook fish | source
#
# - `ssoenv use PROFILE` / `ssoenv off` change this shell (the function `ssoenv` below evals
#   what the program prints, only when it succeeded); every other verb runs the program.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) ` in front of fish_prompt, computed from the
#   SSOENV_* variables; the only process per prompt is one `date +%s`, and only while a profile
#   with an expiry is in use. SSOENV_DISABLE_PROMPT=1 leaves fish_prompt alone; `ssoenv_prompt`
#   prints the segment for hand-made prompts.
# - Auto-refresh: at a prompt, credentials that expire within SSOENV_REFRESH_WINDOW seconds
#   (default 600) are replaced with `ssoenv use --no-login`; a browser is never opened from here.
# Loading it again is harmless: functions are redefined, the event handler stays single.

set -q _ssoenv_runs; or set -g _ssoenv_runs 0
set -q _ssoenv_retry_at; or set -g _ssoenv_retry_at 0
set -q _ssoenv_notified; or set -g _ssoenv_notified ''
set -q _ssoenv_seg; or set -g _ssoenv_seg ''
set -q _ssoenv_color; or set -g _ssoenv_color ''
set -q _ssoenv_now; or set -g _ssoenv_now 0

# The program (filled in by `ssoenv hook`).
function _ssoenv_exe
    command __SSOENV_EXE__ $argv
end

# `ssoenv use ...` and `ssoenv off ...` change this shell; everything else runs the program.
function ssoenv --description 'ssoenv: AWS IAM Identity Center credentials in this shell'
    switch "$argv[1]"
        case use off
            for arg in $argv
                switch $arg
                    case -h --help --shell '--shell=*'
                        # help text, or code for another shell: print it, do not eval it
                        _ssoenv_exe $argv
                        return $status
                end
            end
            set -l rest $argv
            set -e rest[1]
            # capture first (one statement per line), check the status, then eval
            set -l out (_ssoenv_exe $argv[1] --shell fish $rest)
            or return $status
            printf '%s\n' $out | source
            or return $status
            set -g _ssoenv_notified ''
            set -g _ssoenv_retry_at 0
            _ssoenv_clock
            _ssoenv_update
        case login
            _ssoenv_exe $argv
            set -l rc $status
            set -g _ssoenv_notified ''
            set -g _ssoenv_retry_at 0
            return $rc
        case '*'
            _ssoenv_exe $argv
    end
end

function _ssoenv_active
    set -q SSOENV_PROFILE; and test -n "$SSOENV_PROFILE"
end

function _ssoenv_has_expiry
    string match -qr '^[0-9]+$' -- "$SSOENV_EXPIRES_AT"
end

# The clock: one `date` (fish has no built-in clock), only when there is an expiry to compare.
function _ssoenv_clock
    if _ssoenv_active; and _ssoenv_has_expiry
        set -g _ssoenv_now (command date +%s)
    end
end

# Sets _ssoenv_seg (plain text) and _ssoenv_color from the SSOENV_* variables and _ssoenv_now.
function _ssoenv_segment
    set -g _ssoenv_seg ''
    set -g _ssoenv_color ''
    _ssoenv_active; or return 0
    set -l text aws
    if set -q SSOENV_SHELL_DEPTH; and test -n "$SSOENV_SHELL_DEPTH"
        set text "aws:$SSOENV_SHELL_DEPTH"
    end
    set text "$text $SSOENV_PROFILE"
    if test -n "$SSOENV_ACCOUNT_ID$SSOENV_ROLE_NAME"
        set text "$text $SSOENV_ACCOUNT_ID/$SSOENV_ROLE_NAME"
    end
    # shown, never interpreted: control characters become `?`
    set text (string replace -ra '[[:cntrl:]]' '?' -- "$text")
    set -l time ''
    if _ssoenv_has_expiry
        set -l left (math "$SSOENV_EXPIRES_AT - $_ssoenv_now")
        if test $left -le 0
            set time expired
            set -g _ssoenv_color red
        else if test $left -lt 60
            set time '<1m!'
            set -g _ssoenv_color yellow
        else if test $left -lt 3600
            set time (math "floor($left / 60)")m
            if test $left -lt 600
                set time "$time!"
                set -g _ssoenv_color yellow
            end
        else
            set time (math "floor($left / 3600)")h(string pad -w 2 -c 0 -- (math "floor(($left % 3600) / 60)"))m
        end
    end
    if test -n "$time"
        set -g _ssoenv_seg "($text $time)"
    else
        set -g _ssoenv_seg "($text)"
    end
end

function _ssoenv_print_segment
    test -n "$_ssoenv_seg"; or return 0
    if test -n "$_ssoenv_color"; and test "$TERM" != dumb; and not set -q NO_COLOR
        set_color $_ssoenv_color
        printf '%s' "$_ssoenv_seg"
        set_color normal
        printf ' '
    else
        printf '%s ' "$_ssoenv_seg"
    end
end

function _ssoenv_set_status
    return $argv[1]
end

# Put the segment in front of fish_prompt: wrap it (again, if something redefined it since).
function _ssoenv_wrap_prompt
    if functions -q fish_prompt
        string match -q '*_ssoenv_print_segment*' -- (functions fish_prompt); and return 0
        functions -e _ssoenv_orig_prompt
        functions -c fish_prompt _ssoenv_orig_prompt
    else
        function _ssoenv_orig_prompt
        end
    end
    function fish_prompt --description 'ssoenv segment, then the prompt'
        set -l s $status
        if test "$SSOENV_DISABLE_PROMPT" != 1
            _ssoenv_print_segment
        end
        _ssoenv_set_status $s
        _ssoenv_orig_prompt
    end
end

function _ssoenv_update
    _ssoenv_segment
    if test -n "$_ssoenv_seg"; and test "$SSOENV_DISABLE_PROMPT" != 1
        _ssoenv_wrap_prompt
    end
end

# Refresh credentials that expire within the window, once per prompt at most.
function _ssoenv_refresh
    _ssoenv_has_expiry; or return 0
    set -l exp $SSOENV_EXPIRES_AT
    set -l window 600
    if string match -qr '^[0-9]+$' -- "$SSOENV_REFRESH_WINDOW"
        set window $SSOENV_REFRESH_WINDOW
    end
    test (math "$_ssoenv_now + $window") -ge $exp; or return 0
    test $_ssoenv_now -ge $_ssoenv_retry_at; or return 0
    set -l out (_ssoenv_exe use --no-login --quiet --shell fish -- $SSOENV_PROFILE 2>/dev/null)
    set -l rc $status
    if test $rc -eq 0
        printf '%s\n' $out | source
        _ssoenv_clock
        if test "$SSOENV_EXPIRES_AT" = "$exp"; or not _ssoenv_has_expiry; or test (math "$_ssoenv_now + $window") -ge $SSOENV_EXPIRES_AT
            # nothing fresher to be had yet: do not ask again at every prompt
            set -g _ssoenv_retry_at (math "$_ssoenv_now + 60")
        else
            set -g _ssoenv_retry_at 0
        end
    else
        set -g _ssoenv_retry_at (math "$_ssoenv_now + 60")
        if test "$_ssoenv_notified" != "$exp"; and test $rc -ne 130
            set -g _ssoenv_notified $exp
            set -l shown (string replace -ra '[[:cntrl:]]' '?' -- "$SSOENV_PROFILE")
            if test $rc -eq 4
                printf 'ssoenv: the SSO session of %s has expired; run `ssoenv login %s` to renew the credentials\n' $shown $shown >&2
            else
                printf 'ssoenv: could not refresh the credentials of %s (exit %s); run `ssoenv use %s`\n' $shown $rc $shown >&2
            end
        end
    end
end

# Runs before every prompt; fish keeps $status for the prompt itself.
function _ssoenv_on_prompt --on-event fish_prompt
    set -g _ssoenv_runs (math $_ssoenv_runs + 1)
    if _ssoenv_active
        _ssoenv_clock
        _ssoenv_refresh
    end
    _ssoenv_update
end

# The segment, for people who build their own prompt.
function ssoenv_prompt --description 'Print the ssoenv prompt segment'
    _ssoenv_clock
    _ssoenv_segment
    test -n "$_ssoenv_seg"; and printf '%s' "$_ssoenv_seg"
    return 0
end
