"""Library advice, said the command line's way.

The library's errors advise Python arguments (``allow_truncated=True``,
``overwrite=True``), which is right for a script and wrong at a prompt. The
command line shows every error through :func:`cli_message`, which replaces
that advice with the option a command has, or with what a user at a prompt
can do.
"""

from __future__ import annotations

#: (library advice, what the command line says instead), in the order applied.
API_TO_CLI = (
    ("pass allow_truncated=True", "pass --allow-truncated"),
    ("even with allow_truncated=True", "even with --allow-truncated"),
    ("Pass overwrite=True", "Pass --overwrite"),
    ("Pass fmt='bids' or fmt='szcore'", "Pass --format bids or --format szcore"),
    ("Try again, or raise timeout.", "Try again once the other program has finished writing."),
    (
        "Use l_freq=None for no high-pass edge (a low-pass filter).",
        "Choose a --l-freq below --h-freq and the Nyquist frequency.",
    ),
    (
        "Use h_freq=None for no low-pass edge (a high-pass filter).",
        "Choose a --h-freq below the Nyquist frequency.",
    ),
    ("Use notch=None for no notch.", "Leave out --notch for no notch."),
    ("The grid lists", "--grid names"),
)


def cli_message(err: BaseException | str) -> str:
    """Return an error's text with Python-argument advice put in command-line terms.

    Parameters
    ----------
    err : Exception | str
        The error (or its text).

    Returns
    -------
    text : str
        The message a user at the prompt can act on.
    """
    text = str(err)
    for api, cli in API_TO_CLI:
        text = text.replace(api, cli)
    return text
