# ssoenv shell integration for PowerShell 7 (pwsh on Linux, macOS and WSL), printed by
# `ssoenv hook pwsh`. In $PROFILE:   Invoke-Expression (& ssoenv hook pwsh | Out-String)
#
# - `ssoenv use PROFILE` / `ssoenv off` change this session (the function `ssoenv` below runs
#   what the program prints, only when it succeeded); every other verb runs the program. Piped on
#   (`ssoenv use P | Out-String | Invoke-Expression`) or inside `Invoke-Expression (...)`, the
#   function passes the code on instead, so those forms do exactly what the plain one does.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) ` in front of the prompt, computed from the
#   SSOENV_* variables without starting a process, at each prompt (a copy of the prompt saved by
#   another tool can never show a stale one). Left out when SSOENV_DISABLE_PROMPT=1 or when
#   starship draws the prompt; `ssoenv_prompt` returns the segment for hand-made prompts.
# - Auto-refresh: credentials that expire within SSOENV_REFRESH_WINDOW seconds (default 600)
#   are renewed in the background (`ssoenv _refresh`, never a login, never a browser); the
#   result is picked up at a later prompt. The prompt itself never waits for the network.
# - Profiles that follow your directory: entering a tree whose nearest `.ssoenv` you allowed
#   (`ssoenv allow`) switches to the profile it names; leaving it puts back what was there. The
#   file is looked for with .NET calls only, and only when the location changed: no process at a
#   prompt or a `cd` unless a .ssoenv file is involved (then one: `ssoenv _dir`, never a login).
# Loading it again is harmless: the prompt is wrapped once.
# (This file is ASCII on purpose. Not run live in this project's CI: no pwsh there; it is parsed.)

if ($null -eq $global:_ssoenv_retry_at) { $global:_ssoenv_retry_at = [long]0 }
if ($null -eq $global:_ssoenv_notified) { $global:_ssoenv_notified = '' }
if ($null -eq $global:_ssoenv_runs) { $global:_ssoenv_runs = 0 }
if ($null -eq $global:_ssoenv_bg_started) { $global:_ssoenv_bg_started = [long]0 }
if ($null -eq $global:_ssoenv_bg_key) { $global:_ssoenv_bg_key = '' }
if ($null -eq $global:_ssoenv_seen) { $global:_ssoenv_seen = '' }
if ($null -eq $global:_ssoenv_session_warned) { $global:_ssoenv_session_warned = '' }
# Profiles that follow your directory: a stack of the .ssoenv files of the trees we are in
# (outermost first) and, for each, the code that restores what its switch displaced, the profile
# it put in (emptied by a `use`/`off` by hand: leaving then changes nothing) and its state:
# applied, untrusted, pending (no session), refused (a guarded profile not confirmed), failed.
if ($null -eq $global:_ssoenv_dir_files) {
    $global:_ssoenv_dir_files = @()
    $global:_ssoenv_dir_restores = @()
    $global:_ssoenv_dir_owners = @()
    $global:_ssoenv_dir_states = @()
    $global:_ssoenv_dir_pwd = ''
    $global:_ssoenv_dir_again = $false
    $global:_ssoenv_dir_w = ''
}
$global:_ssoenv_seg = ''
$global:_ssoenv_color = ''
# The program as a list of words (for the background refresh), and the hand-off file: written
# atomically (0600, in a private 0700 folder) by `ssoenv _refresh`, read here and emptied.
$global:_ssoenv_argv = @(__SSOENV_ARGV__)
$global:_ssoenv_bg_dir = __SSOENV_RUNTIME__
$global:_ssoenv_bg_file = [System.IO.Path]::Combine($global:_ssoenv_bg_dir, "refresh-$PID.ps1")
# given the time of the token cache folder by `ssoenv _dir` when it found no session: a login
# makes the folder newer
$global:_ssoenv_dir_stamp = [System.IO.Path]::Combine($global:_ssoenv_bg_dir, "dir-$PID.stamp")

# The program (filled in by `ssoenv hook`), with UTF-8 both ways.
function global:_ssoenv_exe {
    $savedUtf8 = $env:PYTHONUTF8
    $savedHook = $env:SSOENV_HOOK
    $savedEncoding = $null
    try {
        $env:PYTHONUTF8 = '1'
        $env:SSOENV_HOOK = 'pwsh'
        try {
            $savedEncoding = [Console]::OutputEncoding
            [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
        } catch { $savedEncoding = $null }
        __SSOENV_EXE__ @args
    } finally {
        if ($null -eq $savedUtf8) {
            Remove-Item -LiteralPath Env:PYTHONUTF8 -ErrorAction SilentlyContinue
        } else {
            $env:PYTHONUTF8 = $savedUtf8
        }
        if ($null -eq $savedHook) {
            Remove-Item -LiteralPath Env:SSOENV_HOOK -ErrorAction SilentlyContinue
        } else {
            $env:SSOENV_HOOK = $savedHook
        }
        if ($null -ne $savedEncoding) {
            try { [Console]::OutputEncoding = $savedEncoding } catch { }
        }
    }
}

function global:_ssoenv_apply([object[]]$Lines) {
    # native output arrives as lines: join them back into one script
    $code = @($Lines) -join [Environment]::NewLine
    if ($code.Trim()) { Invoke-Expression $code }
}

# `ssoenv use ...` and `ssoenv off ...` change this session; everything else runs the program.
function global:ssoenv {
    $verb = if ($args.Count -gt 0) { [string]$args[0] } else { '' }
    if ($verb -ne 'use' -and $verb -ne 'off') {
        if ($verb -eq 'login') {
            $global:_ssoenv_notified = ''
            $global:_ssoenv_retry_at = [long]0
        }
        _ssoenv_exe @args
        if ($LASTEXITCODE -eq 0) {
            # a directory switch that waited for a login happens at the next prompt; after
            # `allow`/`deny` the next prompt looks at this directory's .ssoenv again
            if ($verb -eq 'login' -and (_ssoenv_dir_pending)) { $global:_ssoenv_dir_again = 'retry' }
            if ($verb -eq 'allow' -or $verb -eq 'deny') { $global:_ssoenv_dir_again = $true }
        }
        return
    }
    foreach ($arg in $args) {
        $text = [string]$arg
        if ($text -eq '-h' -or $text -eq '--help' -or $text -eq '--shell' -or $text.StartsWith('--shell=')) {
            # help text, or code for another shell: print it, do not run it
            _ssoenv_exe @args
            return
        }
    }
    $rest = @($args | Select-Object -Skip 1)
    $inner = $MyInvocation.PipelinePosition -lt $MyInvocation.PipelineLength
    if ($inner -or [string]$MyInvocation.Line -match '(?i)(Invoke-Expression|\biex\b)') {
        # the code goes on to Invoke-Expression: pass it on, as the program does
        _ssoenv_exe $verb '--shell' 'pwsh' @rest
        return
    }
    $out = _ssoenv_exe $verb '--shell' 'pwsh' @rest
    if ($LASTEXITCODE -ne 0) { return }
    _ssoenv_apply $out
    # by hand: the directory's switches no longer own the profile (leaving a tree keeps this)
    _ssoenv_dir_disown
    _ssoenv_segment
}

function global:_ssoenv_now {
    [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
}

# Sets $global:_ssoenv_seg (plain text) and $global:_ssoenv_color from the SSOENV_* variables.
function global:_ssoenv_segment {
    $global:_ssoenv_seg = ''
    $global:_ssoenv_color = ''
    if (-not $env:SSOENV_PROFILE) { return }
    $text = 'aws'
    if ($env:SSOENV_SHELL_DEPTH) { $text = "aws:$($env:SSOENV_SHELL_DEPTH)" }
    # a guarded profile (ssoenv_guard = confirm): `!` before the name, also without colours
    $guard = ''
    if ([string]$env:SSOENV_GUARD -eq '1') { $guard = '!' }
    $text = "$text $guard$($env:SSOENV_PROFILE)"
    if ("$($env:SSOENV_ACCOUNT_ID)$($env:SSOENV_ROLE_NAME)") {
        $text = "$text $($env:SSOENV_ACCOUNT_ID)/$($env:SSOENV_ROLE_NAME)"
    }
    # shown, never interpreted: control characters become `?`
    $text = $text -replace '\p{Cc}', '?'
    $time = ''
    $exp = [string]$env:SSOENV_EXPIRES_AT
    if ($exp -match '^[0-9]{1,18}$') {
        $left = [long]$exp - (_ssoenv_now)
        if ($left -le 0) {
            $time = 'expired'; $global:_ssoenv_color = '31'
        } elseif ($left -lt 60) {
            $time = '<1m!'; $global:_ssoenv_color = '33'
        } elseif ($left -lt 3600) {
            $time = '{0}m' -f [math]::Floor($left / 60)
            if ($left -lt 600) { $time = "$time!"; $global:_ssoenv_color = '33' }
        } else {
            $time = '{0}h{1:00}m' -f [math]::Floor($left / 3600), [math]::Floor(($left % 3600) / 60)
        }
    }
    # its own colour (bold magenta), unless the credentials have expired (red)
    if ($guard -and $global:_ssoenv_color -ne '31') { $global:_ssoenv_color = '1;35' }
    if ($time) { $global:_ssoenv_seg = "($text $time)" } else { $global:_ssoenv_seg = "($text)" }
}

# One line, once per session end, when the SSO session ends within SSOENV_SESSION_WARN seconds
# (default 900): SSOENV_SESSION_EXPIRES_AT is set by `use` where the end is known. Never a login.
function global:_ssoenv_session_warn {
    $end = [string]$env:SSOENV_SESSION_EXPIRES_AT
    if ($end -notmatch '^[0-9]{1,18}$' -or $global:_ssoenv_session_warned -eq $end) { return }
    $warn = [long]900
    if ([string]$env:SSOENV_SESSION_WARN -match '^[0-9]{1,18}$') { $warn = [long]$env:SSOENV_SESSION_WARN }
    $now = _ssoenv_now
    if ($now + $warn -lt [long]$end -or $now -ge [long]$end) { return }
    $global:_ssoenv_session_warned = $end
    $at = [DateTimeOffset]::FromUnixTimeSeconds([long]$end).LocalDateTime.ToString('HH:mm')
    $shown = [string]$env:SSOENV_PROFILE -replace '\p{Cc}', '?'
    [Console]::Error.WriteLine("ssoenv: the SSO session of $shown ends at $at; run ``ssoenv login $shown`` now to avoid an interruption")
}

# One line, once per credentials, when the refresh failed: what happened and what to run.
function global:_ssoenv_failed([int]$rc) {
    if ($global:_ssoenv_notified -eq [string]$env:SSOENV_EXPIRES_AT -or $rc -eq 130) { return }
    $global:_ssoenv_notified = [string]$env:SSOENV_EXPIRES_AT
    $shown = [string]$env:SSOENV_PROFILE -replace '\p{Cc}', '?'
    if ($rc -eq 4) {
        $message = "ssoenv: the SSO session of $shown has expired or was revoked; run ``ssoenv login $shown``"
    } else {
        $message = "ssoenv: could not refresh the credentials of $shown (exit $rc); run ``ssoenv use $shown``"
    }
    [Console]::Error.WriteLine($message)
}

function global:_ssoenv_window {
    $window = [long]600
    if ([string]$env:SSOENV_REFRESH_WINDOW -match '^[0-9]{1,18}$') { $window = [long]$env:SSOENV_REFRESH_WINDOW }
    $window
}

# Apply a finished background refresh, if it is still for the credentials in use.
function global:_ssoenv_pickup {
    if ($global:_ssoenv_bg_started -eq 0) { return }
    $file = $global:_ssoenv_bg_file
    $now = _ssoenv_now
    $item = Get-Item -LiteralPath $file -ErrorAction SilentlyContinue
    if ($null -eq $item -or $item.Length -eq 0) {
        # still running (bounded by the program's own time budget), or lost
        if ($now -gt $global:_ssoenv_bg_started + 60) { $global:_ssoenv_bg_started = [long]0 }
        return
    }
    $global:_ssoenv_bg_started = [long]0
    $global:_ssoenv_bg_rc = $null
    if ($global:_ssoenv_bg_key -eq "$($env:SSOENV_PROFILE) $($env:SSOENV_EXPIRES_AT)") {
        Invoke-Expression ([System.IO.File]::ReadAllText($file))
        $global:_ssoenv_seen = "$($env:SSOENV_PROFILE) $($env:SSOENV_EXPIRES_AT)"
    }
    [System.IO.File]::WriteAllText($file, '')
    if ($global:_ssoenv_bg_rc -eq 0) {
        $global:_ssoenv_retry_at = [long]0
        $new = [string]$env:SSOENV_EXPIRES_AT
        if ($new -notmatch '^[0-9]{1,18}$' -or $now + (_ssoenv_window) -ge [long]$new) {
            $global:_ssoenv_retry_at = $now + 60  # nothing fresher to be had yet
        }
    } elseif ($null -ne $global:_ssoenv_bg_rc) {
        $global:_ssoenv_retry_at = $now + 60
        _ssoenv_failed ([int]$global:_ssoenv_bg_rc)
    }
}

# Start a background refresh when the credentials expire within the window (one at a time, at
# most once a minute after a failure): a process of its own, not a PowerShell job.
function global:_ssoenv_refresh {
    $exp = [string]$env:SSOENV_EXPIRES_AT
    if ($exp -notmatch '^[0-9]{1,18}$') { return }
    if ($global:_ssoenv_bg_started -ne 0) { return }
    $now = _ssoenv_now
    if ($now + (_ssoenv_window) -lt [long]$exp) { return }
    if ($now -lt $global:_ssoenv_retry_at) { return }
    $global:_ssoenv_bg_started = $now
    $global:_ssoenv_bg_key = "$($env:SSOENV_PROFILE) $exp"
    try {
        $start = New-Object System.Diagnostics.ProcessStartInfo
        $start.FileName = [string]$global:_ssoenv_argv[0]
        $words = @($global:_ssoenv_argv | Select-Object -Skip 1) + @('_refresh', 'pwsh', $global:_ssoenv_bg_file, [string]$env:SSOENV_PROFILE)
        foreach ($word in $words) { $start.ArgumentList.Add([string]$word) }
        $start.UseShellExecute = $false
        $start.CreateNoWindow = $true
        $start.RedirectStandardInput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $process.StandardInput.Close()
    } catch {
        $global:_ssoenv_bg_started = [long]0
        $global:_ssoenv_retry_at = $now + 60
    }
}

# --- profiles that follow your directory ----------------------------------------------------

# Whether the innermost tree's switch waits for a login.
function global:_ssoenv_dir_pending {
    $n = $global:_ssoenv_dir_states.Count
    ($n -gt 0) -and ($global:_ssoenv_dir_states[$n - 1] -eq 'pending')
}

function global:_ssoenv_dir_disown {
    for ($i = 0; $i -lt $global:_ssoenv_dir_owners.Count; $i++) {
        $global:_ssoenv_dir_owners[$i] = ''
        if ($global:_ssoenv_dir_states[$i] -eq 'pending') { $global:_ssoenv_dir_states[$i] = 'hand' }
    }
}

# Leave the innermost tree: put back what its switch displaced, if the profile is still its own.
function global:_ssoenv_dir_pop {
    $last = $global:_ssoenv_dir_files.Count - 1
    $file = [string]$global:_ssoenv_dir_files[$last]
    $owner = [string]$global:_ssoenv_dir_owners[$last]
    $restore = [string]$global:_ssoenv_dir_restores[$last]
    if ($last -eq 0) {
        $global:_ssoenv_dir_files = @(); $global:_ssoenv_dir_owners = @()
        $global:_ssoenv_dir_restores = @(); $global:_ssoenv_dir_states = @()
    } else {
        $global:_ssoenv_dir_files = @($global:_ssoenv_dir_files[0..($last - 1)])
        $global:_ssoenv_dir_owners = @($global:_ssoenv_dir_owners[0..($last - 1)])
        $global:_ssoenv_dir_restores = @($global:_ssoenv_dir_restores[0..($last - 1)])
        $global:_ssoenv_dir_states = @($global:_ssoenv_dir_states[0..($last - 1)])
    }
    if (-not $owner -or $owner -ne [string]$env:SSOENV_PROFILE) { return }
    if ($restore.Trim()) { Invoke-Expression $restore }
    $back = if ($env:SSOENV_PROFILE) { [string]$env:SSOENV_PROFILE } else { 'no profile' }
    $folder = $file.Substring(0, $file.Length - '/.ssoenv'.Length)
    [Console]::Error.WriteLine(("ssoenv: left {0}: back to {1}" -f ($folder -replace '\p{Cc}', '?'), ($back -replace '\p{Cc}', '?')))
}

# Enter the tree of $File (a .ssoenv): `ssoenv _dir` prints the code (and its state) to run.
# $Retry 'retry': after a possible login (say nothing if there is still no session).
function global:_ssoenv_dir_push([string]$File, [string]$Retry = '') {
    $global:_ssoenv_dir_st = 'failed'
    $global:_ssoenv_dir_r = ''
    $global:_ssoenv_dir_o = ''
    $words = @('_dir', 'pwsh', $File, $global:_ssoenv_dir_stamp)
    if ($Retry -eq 'retry') { $words += @('retry') }
    $out = _ssoenv_exe @words
    if ($LASTEXITCODE -eq 0) { _ssoenv_apply $out }
    $global:_ssoenv_dir_files += @($File)
    $global:_ssoenv_dir_restores += @([string]$global:_ssoenv_dir_r)
    $global:_ssoenv_dir_owners += @([string]$global:_ssoenv_dir_o)
    $global:_ssoenv_dir_states += @([string]$global:_ssoenv_dir_st)
}

# When the location changed (or `allow`/`deny`/a login asked for it): the nearest .ssoenv upwards
# ([System.IO.File]::Exists, no process); leave the trees we are no longer in, enter the new one.
function global:_ssoenv_dir_check {
    if ((_ssoenv_dir_pending) -and $global:_ssoenv_dir_w -and [System.IO.File]::Exists($global:_ssoenv_dir_stamp)) {
        $changed = [System.IO.Directory]::GetLastWriteTimeUtc($global:_ssoenv_dir_w)
        if ($changed -gt [System.IO.File]::GetLastWriteTimeUtc($global:_ssoenv_dir_stamp)) {
            $global:_ssoenv_dir_again = 'retry'  # a login since: try again (quietly if still none)
        }
    }
    $location = $ExecutionContext.SessionState.Path.CurrentLocation
    if ($location.Provider.Name -ne 'FileSystem') { return }
    $here = [string]$location.ProviderPath
    if ($here -eq $global:_ssoenv_dir_pwd -and -not $global:_ssoenv_dir_again) { return }
    $again = [string]$global:_ssoenv_dir_again
    # the session's first look, with a profile it was started with (`ssoenv shell P`, a nested
    # shell): the tree it starts in is taken as it is; entering another one switches
    if (-not $global:_ssoenv_dir_pwd -and $env:SSOENV_PROFILE) { $again = 'inherited' }
    $global:_ssoenv_dir_pwd = $here
    $dir = $here.TrimEnd('/')
    $file = ''
    while ($true) {
        if ([System.IO.File]::Exists("$dir/.ssoenv")) { $file = "$dir/.ssoenv"; break }
        if (-not $dir) { break }
        $dir = $dir.Substring(0, $dir.LastIndexOf('/'))
    }
    while ($global:_ssoenv_dir_files.Count -gt 0) {
        $top = [string]$global:_ssoenv_dir_files[$global:_ssoenv_dir_files.Count - 1]
        if ($top -ceq $file) {
            if (-not $global:_ssoenv_dir_again) { break }
        } elseif ($file) {
            # an outer tree of the nearest file: still in it
            $outer = $top.Substring(0, $top.Length - '.ssoenv'.Length)
            if ($file.StartsWith($outer, [System.StringComparison]::Ordinal)) { break }
        }
        _ssoenv_dir_pop
    }
    $global:_ssoenv_dir_again = $false
    if (-not $file) { return }
    $count = $global:_ssoenv_dir_files.Count
    if ($count -gt 0 -and [string]$global:_ssoenv_dir_files[$count - 1] -ceq $file) { return }
    if ($again -eq 'inherited') {
        $global:_ssoenv_dir_files += @($file)
        $global:_ssoenv_dir_restores += @('')
        $global:_ssoenv_dir_owners += @('')
        $global:_ssoenv_dir_states += @('inherited')
    } elseif ($again -eq 'retry') {
        _ssoenv_dir_push $file 'retry'
    } else {
        _ssoenv_dir_push $file
    }
}

# Runs before every prompt.
function global:_ssoenv_hook {
    $global:_ssoenv_runs += 1
    _ssoenv_pickup
    _ssoenv_dir_check
    # another profile since the last prompt: a fresh start
    $seen = "$($env:SSOENV_PROFILE) $($env:SSOENV_EXPIRES_AT)"
    if ($global:_ssoenv_seen -ne $seen) {
        $global:_ssoenv_seen = $seen
        $global:_ssoenv_retry_at = [long]0
    }
    if ($env:SSOENV_PROFILE) { _ssoenv_refresh; _ssoenv_session_warn }
    _ssoenv_segment
}

# The segment, for people who build their own prompt.
function global:ssoenv_prompt {
    _ssoenv_segment
    $global:_ssoenv_seg
}

# Wrap the prompt once: the segment, then whatever the prompt was.
if (-not $global:_ssoenv_prompt_installed) {
    $global:_ssoenv_prompt_installed = $true
    $global:_ssoenv_orig_prompt = $function:prompt
    function global:prompt {
        $ok = $global:?
        $exitCode = $global:LASTEXITCODE
        try { _ssoenv_hook } catch { }
        $segment = ''
        if ($env:SSOENV_DISABLE_PROMPT -ne '1' -and -not $env:STARSHIP_SHELL -and $global:_ssoenv_seg) {
            $segment = $global:_ssoenv_seg
            $esc = [char]27
            if ($global:_ssoenv_color -and $env:TERM -ne 'dumb' -and -not $env:NO_COLOR) {
                $segment = "$esc[$($global:_ssoenv_color)m$segment$esc[0m"
            }
            $segment = "$segment "
        }
        $global:LASTEXITCODE = $exitCode
        if (-not $ok) { Write-Error -Message 'ssoenv' -ErrorAction Ignore }
        $rest = if ($global:_ssoenv_orig_prompt) { & $global:_ssoenv_orig_prompt } else { 'PS> ' }
        "$segment$(@($rest) -join '')"
    }
}
