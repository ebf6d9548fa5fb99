"""Password policy: long enough, not too long, and not guessable by the zxcvbn estimator.

zxcvbn (Wheeler 2016, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security) scores a password
0-4 from the number of guesses its matchers (dictionaries of common passwords, names and words, keyboard
patterns, repeats, sequences, dates) need; 3 means "safely unguessable: moderate protection from an offline
slow-hash scenario" (about 10^10 guesses).  It runs offline from dictionaries shipped in the package.  The user's
own name and other ``user_inputs`` count as dictionary words, so "anna-anna-anna" is weak for user anna.

The app's password change and the CLI (``users add``/``users reset-password`` with a chosen password) both call
:func:`check_password_policy`.
"""

from __future__ import annotations

from collections.abc import Sequence

from deps.errors import ConfigError

__all__ = ["MAX_PASSWORD_LENGTH", "WeakPasswordError", "check_password_policy", "password_score"]

#: Longer passwords are refused: argon2 hashes any length, but a megabyte "password" is a denial of service.
MAX_PASSWORD_LENGTH = 1024
#: zxcvbn looks at this many leading characters (its matching is quadratic in the length).
_SCORED_CHARS = 100


class WeakPasswordError(ConfigError):
    """A chosen password does not meet the password policy (the message says why; it never repeats the password)."""


def password_score(password: str, user_inputs: Sequence[str] = ()) -> tuple[int, str]:
    """zxcvbn's score (0-4) of ``password`` and its main feedback (a warning or suggestion, may be empty)."""
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:_SCORED_CHARS], user_inputs=[str(u) for u in user_inputs if u])
    feedback = result.get("feedback", {})
    hint = feedback.get("warning") or " ".join(feedback.get("suggestions", []))
    return int(result["score"]), str(hint)


def check_password_policy(
    password: str,
    user_inputs: Sequence[str] = (),
    *,
    min_length: int = 12,
    min_score: int = 3,
) -> None:
    """Raise :class:`WeakPasswordError` unless ``password`` meets the policy.

    Parameters
    ----------
    password
        The chosen password.
    user_inputs
        Words the password must not lean on: the user name, the role, the application's name.
    min_length
        Fewest characters (setting ``DEPS_PASSWORD_MIN_LENGTH``).
    min_score
        Lowest zxcvbn score accepted, 0-4 (setting ``DEPS_PASSWORD_MIN_SCORE``).

    """
    if len(password) < min_length:
        raise WeakPasswordError(
            f"the password is too short ({len(password)} characters): use at least {min_length}, "
            "for example four or five unrelated words"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")
    score, hint = password_score(password, user_inputs)
    if score < min_score:
        advice = f" {hint.rstrip('.')}." if hint else ""
        raise WeakPasswordError(
            f"the password is too easy to guess (strength {score} of 4, at least {min_score} needed):{advice} "
            "Use a longer phrase of unrelated words, or leave the password out to get a generated one."
        )
