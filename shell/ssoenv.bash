# ssoenv shell integration for bash (3.2 or later), printed by `ssoenv hook bash`.
# In ~/.bashrc (last, after anything else that sets PROMPT_COMMAND):   eval -- "$(ssoenv hook bash)"
# shellcheck shell=bash disable=SC2016
# (SC2016: '${_ssoenv_ps1}' is meant literally: PS1 holds the reference, expanded at each prompt)
#
# - `ssoenv use PROFILE` / `ssoenv off` change this shell (the function `ssoenv` below evals
#   what the program prints, only when it succeeded); every other verb runs the program. In a
#   subshell, as in `eval "$(ssoenv use P)"`, the function prints the code instead, so that form
#   does exactly what the plain one does.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) `, computed from the SSOENV_* variables
#   without starting a process. PS1 holds only the reference ${_ssoenv_ps1}: every copy of it is
#   taken out and one is put back at each prompt, so prompts saved and restored by other tools
#   (venv, conda) never keep a stale or doubled segment. Left out when SSOENV_DISABLE_PROMPT=1 or
#   when starship draws the prompt (it shows AWS_SSO_PROFILE itself); `ssoenv_prompt` prints the
#   segment for hand-made prompts.
# - Auto-refresh: credentials that expire within SSOENV_REFRESH_WINDOW seconds (default 600)
#   are renewed in the background (`ssoenv _refresh`, never a login, never a browser); the
#   result is picked up at a later prompt. The prompt itself never waits for the network.
# - Profiles that follow your directory: entering a tree whose nearest `.ssoenv` you allowed
#   (`ssoenv allow`) switches to the profile it names; leaving it puts back what was there. The
#   file is looked for with builtins only, and only when $PWD changed: no process at a prompt or
#   a `cd` unless a .ssoenv file is involved (then one: `ssoenv _dir`, never a login).
# - $? and PIPESTATUS are kept for prompt tools that run after the hook.
# Loading it again is harmless: the prompt hook is installed once.

# The program (filled in by `ssoenv hook`).
function _ssoenv_exe {
    SSOENV_HOOK=bash SSOENV_SHELL_PID=$$ \builtin command __SSOENV_EXE__ "$@"
}

# `ssoenv use ...` and `ssoenv off ...` change this shell; everything else runs the program.
function ssoenv {
    \builtin local _ssoenv_verb="${1-}" _ssoenv_arg _ssoenv_out _ssoenv_rc
    case "$_ssoenv_verb" in
    use | off)
        for _ssoenv_arg in "$@"; do
            case "$_ssoenv_arg" in
            -h | --help | --shell | --shell=*)
                # help text, or code for another shell: print it, do not eval it
                _ssoenv_exe "$@"
                \builtin return
                ;;
            esac
        done
        \builtin shift
        if ((BASH_SUBSHELL)); then
            # a subshell cannot change this shell: print the code, as the program does
            # (`eval "$(ssoenv use P)"` then applies it; on a terminal the program refuses)
            _ssoenv_exe "$_ssoenv_verb" --shell bash "$@"
            \builtin return
        fi
        _ssoenv_out="$(_ssoenv_exe "$_ssoenv_verb" --shell bash "$@")" || \builtin return
        \builtin eval -- "$_ssoenv_out" || \builtin return
        # by hand: the directory's switches no longer own the profile (leaving a tree keeps this)
        _ssoenv_dir_disown
        _ssoenv_update
        ;;
    login)
        _ssoenv_exe "$@"
        _ssoenv_rc=$?
        # a new session: the prompt may try to refresh again at once, and a directory switch
        # that waited for a login happens at the next prompt
        _ssoenv_retry_at=0
        ((_ssoenv_rc == 0)) && _ssoenv_dir_pending && _ssoenv_dir_again=retry
        \builtin return "$_ssoenv_rc"
        ;;
    allow | deny)
        # the next prompt looks at this directory's .ssoenv again
        _ssoenv_exe "$@" && _ssoenv_dir_again=1
        ;;
    *)
        _ssoenv_exe "$@"
        ;;
    esac
}

# The current time in _ssoenv_now, without a process where bash allows it.
if [[ ${BASH_VERSINFO[0]} -ge 5 ]]; then
    function _ssoenv_clock { _ssoenv_now=$EPOCHSECONDS; }
elif [[ ${BASH_VERSINFO[0]} -eq 4 && ${BASH_VERSINFO[1]} -ge 2 ]]; then
    function _ssoenv_clock { \builtin printf -v _ssoenv_now '%(%s)T' -1; }
else
    function _ssoenv_clock { _ssoenv_now=$(\builtin command date +%s); }
fi

# Sets _ssoenv_seg (plain text, for ssoenv_prompt) and _ssoenv_ps1 (with colours, for PS1).
function _ssoenv_segment {
    _ssoenv_seg=
    _ssoenv_ps1=
    [[ -n ${SSOENV_PROFILE-} ]] || \builtin return 0
    \builtin local text left color='' time='' guard='' exp=${SSOENV_EXPIRES_AT-}
    # shown, never interpreted: control characters become `?`
    # a guarded profile (ssoenv_guard = confirm): `!` before the name, also without colours
    [[ ${SSOENV_GUARD-} == 1 ]] && guard='!'
    text="aws${SSOENV_SHELL_DEPTH:+:${SSOENV_SHELL_DEPTH}} $guard${SSOENV_PROFILE}"
    if [[ -n ${SSOENV_ACCOUNT_ID-}${SSOENV_ROLE_NAME-} ]]; then
        text="$text ${SSOENV_ACCOUNT_ID-}/${SSOENV_ROLE_NAME-}"
    fi
    text=${text//[[:cntrl:]]/?}
    case $exp in
    '' | *[!0-9]*) ;; # unknown expiry: no countdown, never "expired"
    *)
        _ssoenv_clock
        left=$((exp - _ssoenv_now))
        if ((left <= 0)); then
            time="expired"
            color=31
        elif ((left < 60)); then
            time="<1m!"
            color=33
        elif ((left < 3600)); then
            time="$((left / 60))m"
            ((left < 600)) && time="$time!" && color=33
        else
            time="$((left / 3600))h$(((left % 3600) / 60 / 10))$(((left % 3600) / 60 % 10))m"
        fi
        ;;
    esac
    # its own colour (bold magenta), unless the credentials have expired (red)
    [[ -n $guard && $color != 31 ]] && color='1;35'
    _ssoenv_seg="($text${time:+ $time})"
    if [[ -n $color && ${TERM-dumb} != dumb && -z ${NO_COLOR-} ]]; then
        # \001 \002 tell readline the colour codes take no room
        _ssoenv_ps1=$'\001\e['"${color}"$'m\002'"$_ssoenv_seg"$'\001\e[0m\002 '
    else
        _ssoenv_ps1="$_ssoenv_seg "
    fi
}

# Whether the segment belongs in PS1: not when disabled, not when starship draws the prompt
# (starship's own aws module reads AWS_SSO_PROFILE and AWS_CREDENTIAL_EXPIRATION).
function _ssoenv_wants_segment {
    [[ -n $_ssoenv_ps1 && ${SSOENV_DISABLE_PROMPT-} != 1 && -z ${STARSHIP_SHELL-} ]]
}

# Take every copy of the segment out of PS1 (tools that saved and restored PS1 may have put
# back an old one, or two), then put exactly one at the start. With promptvars (the default) PS1
# holds the reference ${_ssoenv_ps1}: bash expands it at each prompt and never re-expands the
# value, so a saved copy can only ever show the current segment, and a profile name like $(cmd)
# or \u is shown as is. Without promptvars the text itself is inserted (and the last one taken out).
_ssoenv_ref='${_ssoenv_ps1}'
function _ssoenv_update_ps1 {
    PS1=${PS1//"$_ssoenv_ref"/}
    if [[ -n ${_ssoenv_inserted-} ]]; then
        PS1=${PS1//"$_ssoenv_inserted"/}
        _ssoenv_inserted=
    fi
    _ssoenv_wants_segment || \builtin return 0
    if \builtin shopt -q promptvars; then
        PS1="$_ssoenv_ref${PS1-}"
    else
        _ssoenv_inserted=${_ssoenv_ps1//\\/\\\\}
        PS1="$_ssoenv_inserted${PS1-}"
    fi
}

function _ssoenv_update {
    _ssoenv_segment
    _ssoenv_update_ps1
}

# --- background refresh -------------------------------------------------------------------------
# The hand-off file: written atomically (0600, in a private 0700 folder) by `ssoenv _refresh`,
# read here with `source` and emptied (no process at the prompt).
_ssoenv_bg_dir=__SSOENV_RUNTIME__
_ssoenv_bg_file=$_ssoenv_bg_dir/refresh-$$.bash
_ssoenv_bg_started=${_ssoenv_bg_started:-0}
_ssoenv_bg_key=${_ssoenv_bg_key-}
_ssoenv_retry_at=${_ssoenv_retry_at:-0}
_ssoenv_notified=${_ssoenv_notified-}

# Apply a finished background refresh, if it is still for the credentials in use.
function _ssoenv_pickup {
    ((_ssoenv_bg_started)) || \builtin return 0
    \builtin local file="$_ssoenv_bg_file" _ssoenv_bg_rc=
    if [[ ! -s $file ]]; then
        # still running (bounded by the program's own time budget), or lost
        _ssoenv_clock
        ((_ssoenv_now > _ssoenv_bg_started + 60)) && _ssoenv_bg_started=0
        \builtin return 0
    fi
    _ssoenv_bg_started=0
    if [[ -O $file && $_ssoenv_bg_key == "${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}" ]]; then
        # shellcheck disable=SC1090 # (the hand-off file: its name is only known at run time)
        \builtin source "$file"
        _ssoenv_seen="${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}"
    fi
    : >|"$file"
    _ssoenv_clock
    if [[ $_ssoenv_bg_rc == 0 ]]; then
        \builtin local window=${SSOENV_REFRESH_WINDOW-600} exp=${SSOENV_EXPIRES_AT:-0}
        case $window in '' | *[!0-9]*) window=600 ;; esac
        case $exp in *[!0-9]*) exp=0 ;; esac
        _ssoenv_retry_at=0
        if ((_ssoenv_now + window >= exp)); then
            _ssoenv_retry_at=$((_ssoenv_now + 60)) # nothing fresher to be had yet
        fi
    elif [[ -n $_ssoenv_bg_rc ]]; then
        _ssoenv_retry_at=$((_ssoenv_now + 60))
        _ssoenv_failed "$_ssoenv_bg_rc"
    fi
}

# One line, once per credentials, when the refresh failed: what happened and what to run.
function _ssoenv_failed {
    [[ ${_ssoenv_notified-} != "${SSOENV_EXPIRES_AT-}" && $1 != 130 ]] || \builtin return 0
    _ssoenv_notified=${SSOENV_EXPIRES_AT-}
    \builtin local shown="${SSOENV_PROFILE//[[:cntrl:]]/?}"
    if [[ $1 == 4 ]]; then
        \builtin printf 'ssoenv: the SSO session of %s has expired or was revoked; run `ssoenv login %s`\n' \
            "$shown" "$shown" >&2
    else
        \builtin printf 'ssoenv: could not refresh the credentials of %s (exit %s); run `ssoenv use %s`\n' \
            "$shown" "$1" "$shown" >&2
    fi
}

# One line, once per session end, when the SSO session ends within SSOENV_SESSION_WARN seconds
# (default 900): SSOENV_SESSION_EXPIRES_AT is set by `use` where the end is known. Never a login.
function _ssoenv_session_warn {
    \builtin local end=${SSOENV_SESSION_EXPIRES_AT-} warn=${SSOENV_SESSION_WARN:-900} at shown
    [[ -n $end && $end != *[!0-9]* && $end != "${_ssoenv_session_warned-}" ]] || \builtin return 0
    [[ $warn == *[!0-9]* ]] && warn=900
    _ssoenv_clock
    ((_ssoenv_now + warn >= end && _ssoenv_now < end)) || \builtin return 0
    _ssoenv_session_warned=$end
    if ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2))); then
        \builtin printf -v at '%(%H:%M)T' "$end"
    else
        at=$(\builtin command date -d "@$end" +%H:%M 2>/dev/null || \builtin command date -r "$end" +%H:%M)
    fi
    shown=${SSOENV_PROFILE//[[:cntrl:]]/?}
    \builtin printf 'ssoenv: the SSO session of %s ends at %s; run `ssoenv login %s` now to avoid an interruption\n' \
        "$shown" "$at" "$shown" >&2
}

# Start a background refresh when the credentials expire within the window (one at a time,
# at most once a minute after a failure).
function _ssoenv_refresh {
    \builtin local exp=${SSOENV_EXPIRES_AT-} window=${SSOENV_REFRESH_WINDOW-600}
    case $exp in '' | *[!0-9]*) \builtin return 0 ;; esac
    case $window in '' | *[!0-9]*) window=600 ;; esac
    ((_ssoenv_bg_started)) && \builtin return 0
    _ssoenv_clock
    ((_ssoenv_now + window >= exp)) || \builtin return 0
    ((_ssoenv_now >= ${_ssoenv_retry_at:-0})) || \builtin return 0
    _ssoenv_bg_started=$_ssoenv_now
    _ssoenv_bg_key="$SSOENV_PROFILE $exp"
    # not a job of this shell: no job number, no "Done", no terminal, no Ctrl-C
    {
        _ssoenv_exe _refresh bash "$_ssoenv_bg_file" "$SSOENV_PROFILE" </dev/null >/dev/null 2>&1 &
        \builtin disown $!
    } 2>/dev/null
}

# --- profiles that follow your directory ---------------------------------------------------------
# A stack of the .ssoenv files of the trees we are in (outermost first) and, for each, the code
# that restores what its switch displaced, the profile it put in (emptied by a `use`/`off` by
# hand: leaving then changes nothing) and its state: applied, untrusted, pending (no session),
# refused (a guarded profile not confirmed), failed. Set by `ssoenv _dir` (never exported).
[[ ${_ssoenv_dir_files+set} ]] || _ssoenv_dir_files=()
[[ ${_ssoenv_dir_restores+set} ]] || _ssoenv_dir_restores=()
[[ ${_ssoenv_dir_owners+set} ]] || _ssoenv_dir_owners=()
[[ ${_ssoenv_dir_states+set} ]] || _ssoenv_dir_states=()
_ssoenv_dir_pwd=${_ssoenv_dir_pwd-}
_ssoenv_dir_again=${_ssoenv_dir_again-}
_ssoenv_dir_w=${_ssoenv_dir_w-}
# given the time of the token cache folder by `ssoenv _dir` when it found no session: a login
# makes the folder newer (`-nt`, no process)
_ssoenv_dir_stamp=$_ssoenv_bg_dir/dir-$$.stamp

# Whether the innermost tree's switch waits for a login.
function _ssoenv_dir_pending {
    \builtin local n=${#_ssoenv_dir_states[@]}
    ((n)) && [[ ${_ssoenv_dir_states[n - 1]} == pending ]]
}

function _ssoenv_dir_disown {
    \builtin local i
    for i in "${!_ssoenv_dir_owners[@]}"; do
        _ssoenv_dir_owners[i]=''
        [[ ${_ssoenv_dir_states[i]} == pending ]] && _ssoenv_dir_states[i]=hand
    done
    \builtin return 0
}

# Leave the innermost tree: put back what its switch displaced, if the profile is still its own.
function _ssoenv_dir_pop {
    \builtin local i=$((${#_ssoenv_dir_files[@]} - 1))
    \builtin local file="${_ssoenv_dir_files[i]}" owner="${_ssoenv_dir_owners[i]}" restore="${_ssoenv_dir_restores[i]}"
    \builtin unset -v '_ssoenv_dir_files[i]' '_ssoenv_dir_owners[i]' '_ssoenv_dir_restores[i]' '_ssoenv_dir_states[i]'
    [[ -n $owner && $owner == "${SSOENV_PROFILE-}" ]] || \builtin return 0
    \builtin eval -- "$restore"
    \builtin local back="${SSOENV_PROFILE:-no profile}"
    file=${file%/.ssoenv}
    \builtin printf 'ssoenv: left %s: back to %s\n' "${file//[[:cntrl:]]/?}" "${back//[[:cntrl:]]/?}" >&2
}

# Enter the tree of $1 (a .ssoenv): `ssoenv _dir` prints the code (and its state) to evaluate.
# $2 `retry`: after a possible login (say nothing if there is still no session).
function _ssoenv_dir_push {
    \builtin local _ssoenv_dir_st=failed _ssoenv_dir_r='' _ssoenv_dir_o='' out
    # (`exec`: the command substitution's own process runs the program, no second one)
    if out=$(SSOENV_HOOK=bash \builtin exec __SSOENV_EXE__ _dir bash "$1" "$_ssoenv_dir_stamp" ${2:+"$2"}); then
        \builtin eval -- "$out"
    else
        _ssoenv_dir_st=failed
    fi
    _ssoenv_dir_files+=("$1")
    _ssoenv_dir_restores+=("$_ssoenv_dir_r")
    _ssoenv_dir_owners+=("$_ssoenv_dir_o")
    _ssoenv_dir_states+=("$_ssoenv_dir_st")
}

# When $PWD changed (or `allow`/`deny`/a login asked for it): the nearest .ssoenv upwards, with
# builtins only; leave the trees we are no longer in, enter the new one.
function _ssoenv_dir_check {
    if _ssoenv_dir_pending && [[ -n $_ssoenv_dir_w && $_ssoenv_dir_w -nt $_ssoenv_dir_stamp ]]; then
        _ssoenv_dir_again=retry # a login since: try again (quietly if still none)
    fi
    [[ $PWD != "$_ssoenv_dir_pwd" || -n $_ssoenv_dir_again ]] || \builtin return 0
    \builtin local dir="$PWD" file='' top n="${#_ssoenv_dir_files[@]}" again="$_ssoenv_dir_again"
    # the shell's first look, with a profile it was started with (`ssoenv shell P`, a nested
    # shell): the tree it starts in is taken as it is; entering another one switches
    [[ -z $_ssoenv_dir_pwd && -n ${SSOENV_PROFILE-} ]] && again=inherited
    _ssoenv_dir_pwd=$PWD
    while :; do
        [[ $dir == / ]] && dir=''
        if [[ -f $dir/.ssoenv ]]; then
            file=$dir/.ssoenv
            \builtin break
        fi
        [[ -n $dir ]] || \builtin break
        dir=${dir%/*}
    done
    while ((n)); do
        top=${_ssoenv_dir_files[n - 1]}
        if [[ $top == "$file" ]]; then
            [[ -n $_ssoenv_dir_again ]] || \builtin break
        elif [[ -n $file && ${file%/.ssoenv}/ == "${top%.ssoenv}"* ]]; then
            \builtin break # an outer tree of the nearest file: still in it
        fi
        _ssoenv_dir_pop
        n=${#_ssoenv_dir_files[@]}
    done
    _ssoenv_dir_again=''
    [[ -n $file ]] || \builtin return 0
    ((n)) && [[ ${_ssoenv_dir_files[n - 1]} == "$file" ]] && \builtin return 0
    if [[ $again == inherited ]]; then
        _ssoenv_dir_files+=("$file") _ssoenv_dir_restores+=('') _ssoenv_dir_owners+=('') _ssoenv_dir_states+=(inherited)
        \builtin return 0
    fi
    [[ $again == retry ]] || again=''
    _ssoenv_dir_push "$file" "$again"
}

# Runs before every prompt; keeps $? and PIPESTATUS (restored by the code that follows it in
# PROMPT_COMMAND).
function _ssoenv_hook {
    _ssoenv_status=("$?" "${PIPESTATUS[@]}")
    _ssoenv_runs=$((${_ssoenv_runs:-0} + 1))
    _ssoenv_pickup
    _ssoenv_dir_check
    # another profile since the last prompt (e.g. `eval "$(ssoenv use P)"`): a fresh start
    if [[ ${_ssoenv_seen-} != "${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}" ]]; then
        _ssoenv_seen="${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}"
        _ssoenv_retry_at=0
    fi
    [[ -n ${SSOENV_PROFILE-} ]] && _ssoenv_refresh
    _ssoenv_session_warn
    _ssoenv_update
}

function _ssoenv_return { \builtin return "$1"; }

# The segment, for people who build their own prompt: PS1='$(ssoenv_prompt)...'
function ssoenv_prompt {
    _ssoenv_segment
    [[ -n $_ssoenv_seg ]] && \builtin printf '%s' "$_ssoenv_seg"
    \builtin return 0
}

# Install the prompt hook once, first in PROMPT_COMMAND (string, or array in bash 5.1+). What
# follows the call sets $? and PIPESTATUS back to what the command line left (a pipeline of
# `_ssoenv_return`s, so only after a pipeline of several commands does that start processes).
# One command per line, so that bash-preexec (which compares each command it sees with the lines
# of PROMPT_COMMAND) never takes the common case for a command typed by the user.
_ssoenv_pc='_ssoenv_hook
case ${#_ssoenv_status[@]} in
3)
_ssoenv_return "${_ssoenv_status[1]}" | _ssoenv_return "${_ssoenv_status[2]}"
;;
4)
_ssoenv_return "${_ssoenv_status[1]}" | _ssoenv_return "${_ssoenv_status[2]}" | _ssoenv_return "${_ssoenv_status[3]}"
;;
*)
_ssoenv_return "${_ssoenv_status[0]}"
;;
esac'
if [[ "$(\builtin declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
    if [[ " ${PROMPT_COMMAND[*]} " != *" _ssoenv_hook"$'\n'* ]]; then
        PROMPT_COMMAND=("$_ssoenv_pc" "${PROMPT_COMMAND[@]}")
    fi
else
    # shellcheck disable=SC2128,SC2178 # (here PROMPT_COMMAND is a string, not an array)
    case "${PROMPT_COMMAND-}" in
    *"_ssoenv_hook"$'\n'*) ;;
    *) PROMPT_COMMAND="$_ssoenv_pc${PROMPT_COMMAND:+
$PROMPT_COMMAND}" ;;
    esac
fi
