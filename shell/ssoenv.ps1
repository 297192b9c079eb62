# ssoenv shell integration for PowerShell 7 (pwsh on Linux, macOS and WSL), printed by
# `ssoenv hook pwsh`. In $PROFILE:   Invoke-Expression (& ssoenv hook pwsh | Out-String)
#
# - `ssoenv use PROFILE` / `ssoenv off` change this session (the function `ssoenv` below runs
#   what the program prints, only when it succeeded); every other verb runs the program.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) ` in front of the prompt, computed from the
#   SSOENV_* variables without starting a process. SSOENV_DISABLE_PROMPT=1 leaves the prompt
#   alone; `ssoenv_prompt` returns the segment for hand-made prompts.
# - Auto-refresh: at a prompt, credentials that expire within SSOENV_REFRESH_WINDOW seconds
#   (default 600) are replaced with `ssoenv use --no-login`; a browser is never opened from here.
# Loading it again is harmless: the prompt is wrapped once.
# (This file is ASCII on purpose: Windows PowerShell may read it in the ANSI code page.)

if ($null -eq $global:_ssoenv_retry_at) { $global:_ssoenv_retry_at = [long]0 }
if ($null -eq $global:_ssoenv_notified) { $global:_ssoenv_notified = '' }
if ($null -eq $global:_ssoenv_runs) { $global:_ssoenv_runs = 0 }
$global:_ssoenv_seg = ''
$global:_ssoenv_color = ''

# The program (filled in by `ssoenv hook`), with UTF-8 both ways.
function global:_ssoenv_exe {
    $savedUtf8 = $env:PYTHONUTF8
    $savedEncoding = $null
    try {
        $env:PYTHONUTF8 = '1'
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
    $out = _ssoenv_exe $verb '--shell' 'pwsh' @rest
    if ($LASTEXITCODE -ne 0) { return }
    _ssoenv_apply $out
    $global:_ssoenv_notified = ''
    $global:_ssoenv_retry_at = [long]0
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
    $text = "$text $($env:SSOENV_PROFILE)"
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
    if ($time) { $global:_ssoenv_seg = "($text $time)" } else { $global:_ssoenv_seg = "($text)" }
}

# Refresh credentials that expire within the window, once per prompt at most.
function global:_ssoenv_refresh {
    $exp = [string]$env:SSOENV_EXPIRES_AT
    if ($exp -notmatch '^[0-9]{1,18}$') { return }
    $window = [long]600
    if ([string]$env:SSOENV_REFRESH_WINDOW -match '^[0-9]{1,18}$') { $window = [long]$env:SSOENV_REFRESH_WINDOW }
    $now = _ssoenv_now
    if ($now + $window -lt [long]$exp) { return }
    if ($now -lt $global:_ssoenv_retry_at) { return }
    # Ctrl-C goes to the program, not to this function
    $treat = $null
    try { $treat = [Console]::TreatControlCAsInput; [Console]::TreatControlCAsInput = $true } catch { $treat = $null }
    try {
        $out = _ssoenv_exe 'use' '--no-login' '--quiet' '--shell' 'pwsh' ([string]$env:SSOENV_PROFILE) 2>$null
        $rc = $LASTEXITCODE
    } finally {
        if ($null -ne $treat) { try { [Console]::TreatControlCAsInput = $treat } catch { } }
    }
    $now = _ssoenv_now
    if ($rc -eq 0) {
        _ssoenv_apply $out
        $new = [string]$env:SSOENV_EXPIRES_AT
        if ($new -eq $exp -or $new -notmatch '^[0-9]{1,18}$' -or $now + $window -ge [long]$new) {
            # nothing fresher to be had yet: do not ask again at every prompt
            $global:_ssoenv_retry_at = $now + 60
        } else {
            $global:_ssoenv_retry_at = [long]0
        }
    } else {
        $global:_ssoenv_retry_at = $now + 60
        if ($global:_ssoenv_notified -ne $exp -and $rc -ne 130) {
            $global:_ssoenv_notified = $exp
            $shown = [string]$env:SSOENV_PROFILE -replace '\p{Cc}', '?'
            if ($rc -eq 4) {
                $message = "ssoenv: the SSO session of $shown has expired; run ``ssoenv login $shown`` to renew the credentials"
            } else {
                $message = "ssoenv: could not refresh the credentials of $shown (exit $rc); run ``ssoenv use $shown``"
            }
            [Console]::Error.WriteLine($message)
        }
    }
}

# Runs before every prompt.
function global:_ssoenv_hook {
    $global:_ssoenv_runs += 1
    if ($env:SSOENV_PROFILE) { _ssoenv_refresh }
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
        if ($env:SSOENV_DISABLE_PROMPT -ne '1' -and $global:_ssoenv_seg) {
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
