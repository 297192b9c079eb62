# ssoenv shell integration for bash (3.2 or later), printed by `ssoenv hook bash`.
# In ~/.bashrc (last, after anything else that sets PROMPT_COMMAND):   eval -- "$(ssoenv hook bash)"
#
# - `ssoenv use PROFILE` / `ssoenv off` change this shell (the function `ssoenv` below evals
#   what the program prints, only when it succeeded); every other verb runs the program.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) `, computed from the SSOENV_* variables
#   without starting a process. SSOENV_DISABLE_PROMPT=1 leaves PS1 alone; `ssoenv_prompt`
#   prints the segment for hand-made prompts.
# - Auto-refresh: at a prompt, credentials that expire within SSOENV_REFRESH_WINDOW seconds
#   (default 600) are replaced with `ssoenv use --no-login`; a browser is never opened from here.
# Loading it again is harmless: the prompt hook is installed once.

# The program (filled in by `ssoenv hook`).
function _ssoenv_exe {
    \builtin command __SSOENV_EXE__ "$@"
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
        _ssoenv_out="$(_ssoenv_exe "$_ssoenv_verb" --shell bash "$@")" || \builtin return
        \builtin eval -- "$_ssoenv_out" || \builtin return
        _ssoenv_notified=
        _ssoenv_retry_at=0
        _ssoenv_update
        ;;
    login)
        _ssoenv_exe "$@"
        _ssoenv_rc=$?
        # a new session: let the prompt hook try to refresh again
        _ssoenv_notified=
        _ssoenv_retry_at=0
        \builtin return "$_ssoenv_rc"
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
    \builtin local text left color= time= exp=${SSOENV_EXPIRES_AT-}
    # shown, never interpreted: control characters become `?`
    text="aws${SSOENV_SHELL_DEPTH:+:${SSOENV_SHELL_DEPTH}} ${SSOENV_PROFILE}"
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
    _ssoenv_seg="($text${time:+ $time})"
    if [[ -n $color && ${TERM-dumb} != dumb && -z ${NO_COLOR-} ]]; then
        # \001 \002 tell readline the colour codes take no room
        _ssoenv_ps1=$'\001\e['"${color}"$'m\002'"$_ssoenv_seg"$'\001\e[0m\002 '
    else
        _ssoenv_ps1="$_ssoenv_seg "
    fi
}

# Put the segment at the start of PS1 (or take it out). With promptvars (the default) PS1 holds
# the reference ${_ssoenv_ps1}: bash expands it once and never re-expands the value, so a profile
# name like $(cmd) or \u is shown as is.
function _ssoenv_update_ps1 {
    if [[ -n ${_ssoenv_inserted-} ]]; then
        PS1=${PS1/"$_ssoenv_inserted"/}
        _ssoenv_inserted=
    fi
    [[ -n $_ssoenv_ps1 && ${SSOENV_DISABLE_PROMPT-} != 1 ]] || \builtin return 0
    if \builtin shopt -q promptvars; then
        _ssoenv_inserted='${_ssoenv_ps1}'
    else
        _ssoenv_inserted=${_ssoenv_ps1//\\/\\\\}
    fi
    PS1="$_ssoenv_inserted${PS1-}"
}

function _ssoenv_update {
    _ssoenv_segment
    _ssoenv_update_ps1
}

# Refresh credentials that expire within the window, once per prompt at most.
function _ssoenv_refresh {
    \builtin local exp=${SSOENV_EXPIRES_AT-} window=${SSOENV_REFRESH_WINDOW-600} out rc old_trap
    case $exp in '' | *[!0-9]*) \builtin return 0 ;; esac
    case $window in '' | *[!0-9]*) window=600 ;; esac
    _ssoenv_clock
    ((_ssoenv_now + window >= exp)) || \builtin return 0
    ((_ssoenv_now >= ${_ssoenv_retry_at:-0})) || \builtin return 0
    # Ctrl-C interrupts the program, not this function (a trap, unlike an ignored signal,
    # is not inherited by the program)
    old_trap=$(\builtin trap -p INT)
    \builtin trap -- ':' INT
    out=$(_ssoenv_exe use --no-login --quiet --shell bash -- "$SSOENV_PROFILE" 2>/dev/null)
    rc=$?
    if [[ $rc -eq 0 ]]; then
        \builtin eval -- "$out"
        _ssoenv_clock
        if [[ ${SSOENV_EXPIRES_AT-} == "$exp" ]] || ((_ssoenv_now + window >= ${SSOENV_EXPIRES_AT:-0})); then
            # nothing fresher to be had yet: do not ask again at every prompt
            _ssoenv_retry_at=$((_ssoenv_now + 60))
        else
            _ssoenv_retry_at=0
        fi
    else
        _ssoenv_retry_at=$((_ssoenv_now + 60))
        if [[ ${_ssoenv_notified-} != "$exp" && $rc -ne 130 ]]; then
            _ssoenv_notified=$exp
            if [[ $rc -eq 4 ]]; then
                \builtin printf 'ssoenv: the SSO session of %s has expired; run `ssoenv login %s` to renew the credentials\n' \
                    "${SSOENV_PROFILE//[[:cntrl:]]/?}" "${SSOENV_PROFILE//[[:cntrl:]]/?}" >&2
            else
                \builtin printf 'ssoenv: could not refresh the credentials of %s (exit %s); run `ssoenv use %s`\n' \
                    "${SSOENV_PROFILE//[[:cntrl:]]/?}" "$rc" "${SSOENV_PROFILE//[[:cntrl:]]/?}" >&2
            fi
        fi
    fi
    if [[ -n $old_trap ]]; then
        \builtin eval -- "$old_trap"
    else
        \builtin trap - INT
    fi
}

# Runs before every prompt; keeps $?.
function _ssoenv_hook {
    \builtin local rc=$?
    _ssoenv_runs=$((${_ssoenv_runs:-0} + 1))
    [[ -n ${SSOENV_PROFILE-} ]] && _ssoenv_refresh
    _ssoenv_update
    \builtin return "$rc"
}

# The segment, for people who build their own prompt: PS1='$(ssoenv_prompt)...'
function ssoenv_prompt {
    _ssoenv_segment
    [[ -n $_ssoenv_seg ]] && \builtin printf '%s' "$_ssoenv_seg"
    \builtin return 0
}

# Install the prompt hook once, first in PROMPT_COMMAND (string, or array in bash 5.1+).
if [[ "$(\builtin declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
    if [[ " ${PROMPT_COMMAND[*]} " != *" _ssoenv_hook "* ]]; then
        PROMPT_COMMAND=(_ssoenv_hook "${PROMPT_COMMAND[@]}")
    fi
else
    case ";${PROMPT_COMMAND-};" in
    *";_ssoenv_hook;"*) ;;
    *) PROMPT_COMMAND="_ssoenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
    esac
fi
