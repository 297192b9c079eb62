# ssoenv shell integration for fish, printed by `ssoenv hook fish`.
# In ~/.config/fish/config.fish:   ssoenv hook fish | source
#
# - `ssoenv use PROFILE` / `ssoenv off` change this shell (the function `ssoenv` below evals
#   what the program prints, only when it succeeded); every other verb runs the program.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) ` in front of fish_prompt, computed from the
#   SSOENV_* variables without starting a process. Themes and venvs that redefine fish_prompt
#   later are wrapped again: one segment, never a loop. Left out when SSOENV_DISABLE_PROMPT=1 or
#   when starship draws the prompt; `ssoenv_prompt` prints the segment for hand-made prompts.
# - Auto-refresh: credentials that expire within SSOENV_REFRESH_WINDOW seconds (default 600)
#   are renewed in the background (`ssoenv _refresh`, never a login, never a browser); the
#   result is picked up at a later prompt. The prompt itself never waits for the network.
# - Profiles that follow your directory: entering a tree whose nearest `.ssoenv` you allowed
#   (`ssoenv allow`) switches to the profile it names; leaving it puts back what was there. The
#   file is looked for with builtins only, and only when $PWD changed: no process at a prompt or
#   a `cd` unless a .ssoenv file is involved (then one: `ssoenv _dir`, never a login).
# Loading it again is harmless: functions are redefined, the event handler stays single.

set -q _ssoenv_runs; or set -g _ssoenv_runs 0
set -q _ssoenv_retry_at; or set -g _ssoenv_retry_at 0
set -q _ssoenv_notified; or set -g _ssoenv_notified ''
set -q _ssoenv_seg; or set -g _ssoenv_seg ''
set -q _ssoenv_color; or set -g _ssoenv_color ''
set -q _ssoenv_now; or set -g _ssoenv_now 0
set -q _ssoenv_seen; or set -g _ssoenv_seen ''
set -q _ssoenv_bg_started; or set -g _ssoenv_bg_started 0
set -q _ssoenv_bg_key; or set -g _ssoenv_bg_key ''
set -q _ssoenv_session_warned; or set -g _ssoenv_session_warned ''
set -q _ssoenv_wraps; or set -g _ssoenv_wraps 0
set -g _ssoenv_drawn 0
# The hand-off file of the background refresh: written atomically (0600, in a private 0700
# folder) by `ssoenv _refresh`, read here with `source` and emptied (no process at the prompt).
set -g _ssoenv_bg_dir __SSOENV_RUNTIME__
set -g _ssoenv_bg_file $_ssoenv_bg_dir/refresh-$fish_pid.fish

# The program (filled in by `ssoenv hook`).
function _ssoenv_exe
    SSOENV_HOOK=fish command __SSOENV_EXE__ $argv
end

# `ssoenv use ...` and `ssoenv off ...` change this shell; everything else runs the program.
# fish runs functions in this shell even in a pipeline or a command substitution, so
# `ssoenv use P | source` and `eval (ssoenv use P)` change this shell too (and source nothing).
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
            # by hand: the directory's switches no longer own the profile (leaving a tree keeps this)
            _ssoenv_dir_disown
            _ssoenv_clock
            _ssoenv_update
        case login
            _ssoenv_exe $argv
            set -l rc $status
            # a new session: the prompt may try to refresh again at once, and a directory switch
            # that waited for a login happens at the next prompt
            set -g _ssoenv_retry_at 0
            test $rc -eq 0; and _ssoenv_dir_pending; and set -g _ssoenv_dir_again retry
            return $rc
        case allow deny
            # the next prompt looks at this directory's .ssoenv again
            _ssoenv_exe $argv; or return $status
            set -g _ssoenv_dir_again 1
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

# The clock without a process: `path mtime` (fish 3.5+) of a file that is there, plus the
# seconds since then (`--relative`) is now. Older fish: one `date`.
if builtin -q path
    function _ssoenv_clock
        set -l then (path mtime -- $__fish_data_dir)
        set -l ago (path mtime --relative -- $__fish_data_dir)
        set -g _ssoenv_now (math "$then + $ago")
    end
else
    function _ssoenv_clock
        if _ssoenv_active; and _ssoenv_has_expiry
            set -g _ssoenv_now (command date +%s)
        end
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
    # a guarded profile (ssoenv_guard = confirm): `!` before the name, also without colours
    set -l guard ''
    test "$SSOENV_GUARD" = 1; and set guard '!'
    set text "$text $guard$SSOENV_PROFILE"
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
    # its own colour (magenta), unless the credentials have expired (red)
    if test -n "$guard"; and test "$_ssoenv_color" != red
        set -g _ssoenv_color magenta
    end
    if test -n "$time"
        set -g _ssoenv_seg "($text $time)"
    else
        set -g _ssoenv_seg "($text)"
    end
end

# Whether the segment is drawn: not when disabled, not when starship draws the prompt (its aws
# module shows AWS_SSO_PROFILE and AWS_CREDENTIAL_EXPIRATION itself).
function _ssoenv_wants_segment
    test -n "$_ssoenv_seg"; and test "$SSOENV_DISABLE_PROMPT" != 1; and not set -q STARSHIP_SHELL
end

function _ssoenv_print_segment
    _ssoenv_wants_segment; or return 0
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

# Put the segment in front of fish_prompt. Whenever fish_prompt is not one of our wrappers (at
# load time, or because a theme or a venv's activate.fish defined its own since), it is kept under
# a new name, _ssoenv_prompt_N, and a wrapper calls it. Names are never reused, so no chain of
# copies can call itself (venv's _old_fish_prompt may hold an older wrapper: that is fine), and
# only the outermost wrapper of a prompt prints the segment: never two.
function _ssoenv_wrap_prompt
    if functions -q fish_prompt
        string match -q '*_ssoenv_print_segment*' -- (functions fish_prompt); and return 0
    else
        function fish_prompt
        end
    end
    set -g _ssoenv_wraps (math $_ssoenv_wraps + 1)
    set -l inner _ssoenv_prompt_$_ssoenv_wraps
    functions -c fish_prompt $inner
    functions -e fish_prompt
    # fish_prompt calls $inner: written out by name, as `functions` will show it
    printf '%s\n' \
        "function fish_prompt --description 'ssoenv segment, then the prompt'" \
        '    set -l s $status' \
        '    if test $_ssoenv_drawn = 1' \
        '        _ssoenv_set_status $s' \
        "        $inner" \
        '        return' \
        '    end' \
        '    set -g _ssoenv_drawn 1' \
        '    _ssoenv_print_segment' \
        '    _ssoenv_set_status $s' \
        "    $inner" \
        '    set -g _ssoenv_drawn 0' \
        'end' | source
end

function _ssoenv_update
    _ssoenv_segment
    _ssoenv_wrap_prompt
end

# One line, once per credentials, when the refresh failed: what happened and what to run.
function _ssoenv_failed
    test "$_ssoenv_notified" != "$SSOENV_EXPIRES_AT"; and test $argv[1] -ne 130; or return 0
    set -g _ssoenv_notified $SSOENV_EXPIRES_AT
    set -l shown (string replace -ra '[[:cntrl:]]' '?' -- "$SSOENV_PROFILE")
    if test $argv[1] -eq 4
        printf 'ssoenv: the SSO session of %s has expired or was revoked; run `ssoenv login %s`\n' $shown $shown >&2
    else
        printf 'ssoenv: could not refresh the credentials of %s (exit %s); run `ssoenv use %s`\n' $shown $argv[1] $shown >&2
    end
end

# Apply a finished background refresh, if it is still for the credentials in use.
function _ssoenv_pickup
    test $_ssoenv_bg_started -ne 0; or return 0
    set -l file $_ssoenv_bg_file
    if not test -s $file
        # still running (bounded by the program's own time budget), or lost
        if test $_ssoenv_now -gt (math $_ssoenv_bg_started + 60)
            set -g _ssoenv_bg_started 0
        end
        return 0
    end
    set -g _ssoenv_bg_started 0
    set -g _ssoenv_bg_rc ''
    if test -O $file; and test "$_ssoenv_bg_key" = "$SSOENV_PROFILE $SSOENV_EXPIRES_AT"
        source $file
        set -g _ssoenv_seen "$SSOENV_PROFILE $SSOENV_EXPIRES_AT"
    end
    true >$file
    if test "$_ssoenv_bg_rc" = 0
        set -l window 600
        if string match -qr '^[0-9]+$' -- "$SSOENV_REFRESH_WINDOW"
            set window $SSOENV_REFRESH_WINDOW
        end
        set -g _ssoenv_retry_at 0
        if not _ssoenv_has_expiry; or test (math "$_ssoenv_now + $window") -ge $SSOENV_EXPIRES_AT
            set -g _ssoenv_retry_at (math $_ssoenv_now + 60) # nothing fresher to be had yet
        end
    else if test -n "$_ssoenv_bg_rc"
        set -g _ssoenv_retry_at (math $_ssoenv_now + 60)
        _ssoenv_failed $_ssoenv_bg_rc
    end
end

# Start a background refresh when the credentials expire within the window (one at a time,
# at most once a minute after a failure); disowned: no job message, no terminal, no Ctrl-C.
function _ssoenv_refresh
    _ssoenv_has_expiry; or return 0
    test $_ssoenv_bg_started -eq 0; or return 0
    set -l exp $SSOENV_EXPIRES_AT
    set -l window 600
    if string match -qr '^[0-9]+$' -- "$SSOENV_REFRESH_WINDOW"
        set window $SSOENV_REFRESH_WINDOW
    end
    test (math "$_ssoenv_now + $window") -ge $exp; or return 0
    test $_ssoenv_now -ge $_ssoenv_retry_at; or return 0
    set -g _ssoenv_bg_started $_ssoenv_now
    set -g _ssoenv_bg_key "$SSOENV_PROFILE $exp"
    # `sh` starts it in the background and exits at once: not a job of fish (fish would report it,
    # and leave a zombie if it were disowned). In an event handler fish would run sh in the
    # shell's own process group (Ctrl-C at the prompt would reach the refresh): full job control
    # for this one start.
    set -l mode interactive
    status is-full-job-control; and set mode full
    status is-no-job-control; and set mode none
    status job-control full
    command sh -c '"$@" </dev/null >/dev/null 2>&1 &' sh __SSOENV_EXE__ _refresh fish $_ssoenv_bg_file $SSOENV_PROFILE
    status job-control $mode
end

# One line, once per session end, when the SSO session ends within SSOENV_SESSION_WARN seconds
# (default 900): SSOENV_SESSION_EXPIRES_AT is set by `use` where the end is known. Never a login;
# `date` runs once, for the line itself (fish cannot format a time).
function _ssoenv_session_warn
    set -l end "$SSOENV_SESSION_EXPIRES_AT"
    string match -qr '^[0-9]+$' -- "$end"; or return 0
    test "$_ssoenv_session_warned" != "$end"; or return 0
    set -l warn 900
    string match -qr '^[0-9]+$' -- "$SSOENV_SESSION_WARN"; and set warn $SSOENV_SESSION_WARN
    test (math "$_ssoenv_now + $warn") -ge $end; and test $_ssoenv_now -lt $end; or return 0
    set -g _ssoenv_session_warned $end
    set -l at (command date -d "@$end" +%H:%M 2>/dev/null; or command date -r $end +%H:%M)
    set -l shown (string replace -ra '[[:cntrl:]]' '?' -- "$SSOENV_PROFILE")
    printf 'ssoenv: the SSO session of %s ends at %s; run `ssoenv login %s` now to avoid an interruption\n' \
        "$shown" "$at" "$shown" >&2
end

# --- profiles that follow your directory ---------------------------------------------------------
# A stack of the .ssoenv files of the trees we are in (outermost first) and, for each, the code
# that restores what its switch displaced, the profile it put in (emptied by a `use`/`off` by
# hand: leaving then changes nothing) and its state: applied, untrusted, pending (no session),
# refused (a guarded profile not confirmed), failed. Set by `ssoenv _dir` (never exported).
set -q _ssoenv_dir_files; or set -g _ssoenv_dir_files
set -q _ssoenv_dir_restores; or set -g _ssoenv_dir_restores
set -q _ssoenv_dir_owners; or set -g _ssoenv_dir_owners
set -q _ssoenv_dir_states; or set -g _ssoenv_dir_states
set -q _ssoenv_dir_pwd; or set -g _ssoenv_dir_pwd ''
set -q _ssoenv_dir_again; or set -g _ssoenv_dir_again ''
set -q _ssoenv_dir_w; or set -g _ssoenv_dir_w ''
# given the time of the token cache folder by `ssoenv _dir` when it found no session: a login
# makes the folder newer (`test -nt`, no process)
set -g _ssoenv_dir_stamp $_ssoenv_bg_dir/dir-$fish_pid.stamp

# Whether the innermost tree's switch waits for a login.
function _ssoenv_dir_pending
    set -q _ssoenv_dir_states[1]; and test "$_ssoenv_dir_states[-1]" = pending
end

function _ssoenv_dir_disown
    set -l i 1
    while test $i -le (count $_ssoenv_dir_owners)
        set _ssoenv_dir_owners[$i] ''
        test "$_ssoenv_dir_states[$i]" = pending; and set _ssoenv_dir_states[$i] hand
        set i (math $i + 1)
    end
    return 0
end

# Leave the innermost tree: put back what its switch displaced, if the profile is still its own.
function _ssoenv_dir_pop
    set -l file $_ssoenv_dir_files[-1]
    set -l owner $_ssoenv_dir_owners[-1]
    set -l restore $_ssoenv_dir_restores[-1]
    set -e _ssoenv_dir_files[-1]
    set -e _ssoenv_dir_owners[-1]
    set -e _ssoenv_dir_restores[-1]
    set -e _ssoenv_dir_states[-1]
    test -n "$owner"; and test "$owner" = "$SSOENV_PROFILE"; or return 0
    printf '%s\n' "$restore" | source
    set -l back "$SSOENV_PROFILE"
    test -n "$back"; or set back 'no profile'
    set file (string replace -r '/\.ssoenv$' '' -- $file)
    printf 'ssoenv: left %s: back to %s\n' (string replace -ra '[[:cntrl:]]' '?' -- $file "$back") >&2
end

# Enter the tree of $argv[1] (a .ssoenv): `ssoenv _dir` prints the code (and its state) to evaluate.
# $argv[2] `retry`: after a possible login (say nothing if there is still no session).
function _ssoenv_dir_push
    set -g _ssoenv_dir_st failed
    set -g _ssoenv_dir_r ''
    set -g _ssoenv_dir_o ''
    set -l out (_ssoenv_exe _dir fish $argv[1] $_ssoenv_dir_stamp $argv[2..-1])
    and printf '%s\n' $out | source
    set -a _ssoenv_dir_files $argv[1]
    set -a _ssoenv_dir_restores "$_ssoenv_dir_r"
    set -a _ssoenv_dir_owners "$_ssoenv_dir_o"
    set -a _ssoenv_dir_states "$_ssoenv_dir_st"
end

# When $PWD changed (or `allow`/`deny`/a login asked for it): the nearest .ssoenv upwards, with
# builtins only; leave the trees we are no longer in, enter the new one.
function _ssoenv_dir_check
    if _ssoenv_dir_pending; and test -n "$_ssoenv_dir_w"; and test "$_ssoenv_dir_w" -nt "$_ssoenv_dir_stamp"
        set -g _ssoenv_dir_again retry # a login since: try again (quietly if still none)
    end
    test "$PWD" != "$_ssoenv_dir_pwd"; or test -n "$_ssoenv_dir_again"; or return 0
    set -l again $_ssoenv_dir_again
    # the shell's first look, with a profile it was started with (`ssoenv shell P`, a nested
    # shell): the tree it starts in is taken as it is; entering another one switches
    if test -z "$_ssoenv_dir_pwd"; and test -n "$SSOENV_PROFILE"
        set again inherited
    end
    set -g _ssoenv_dir_pwd $PWD
    set -l dir $PWD
    set -l file ''
    while true
        test "$dir" = /; and set dir ''
        if test -f "$dir/.ssoenv"
            set file "$dir/.ssoenv"
            break
        end
        test -n "$dir"; or break
        set dir (string replace -r '/[^/]*$' '' -- $dir)
    end
    while set -q _ssoenv_dir_files[1]
        set -l top $_ssoenv_dir_files[-1]
        if test "$top" = "$file"
            test -n "$_ssoenv_dir_again"; or break
        else if test -n "$file"
            # an outer tree of the nearest file: still in it
            set -l outer (string replace -r '\.ssoenv$' '' -- $top)
            set -l inner (string replace -r '\.ssoenv$' '' -- $file)
            test (string sub -l (string length -- $outer) -- $inner) = $outer; and break
        end
        _ssoenv_dir_pop
    end
    set -g _ssoenv_dir_again ''
    test -n "$file"; or return 0
    set -q _ssoenv_dir_files[1]; and test "$_ssoenv_dir_files[-1]" = "$file"; and return 0
    if test "$again" = inherited
        set -a _ssoenv_dir_files $file
        set -a _ssoenv_dir_restores ''
        set -a _ssoenv_dir_owners ''
        set -a _ssoenv_dir_states inherited
    else if test "$again" = retry
        _ssoenv_dir_push $file retry
    else
        _ssoenv_dir_push $file
    end
end

# Runs before every prompt; fish keeps $status for the prompt itself.
function _ssoenv_on_prompt --on-event fish_prompt
    set -g _ssoenv_runs (math $_ssoenv_runs + 1)
    set -g _ssoenv_drawn 0
    _ssoenv_clock
    _ssoenv_pickup
    _ssoenv_dir_check
    # another profile since the last prompt: a fresh start
    if test "$_ssoenv_seen" != "$SSOENV_PROFILE $SSOENV_EXPIRES_AT"
        set -g _ssoenv_seen "$SSOENV_PROFILE $SSOENV_EXPIRES_AT"
        set -g _ssoenv_retry_at 0
    end
    if _ssoenv_active
        _ssoenv_refresh
        _ssoenv_session_warn
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

_ssoenv_wrap_prompt
