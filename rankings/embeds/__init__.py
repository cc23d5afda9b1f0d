"""Embeds for the provincial portal: a small leaderboard and an agency card in an iframe.

They are public pages like the others (published data only, the page cache), with three
differences: the language comes from the URL, not the visitor's cookie; they set no cookie
at all; and they may be framed by the origins of `EMBED_ALLOWED_ORIGINS` (their CSP
`frame-ancestors`, config.middleware), while every other page refuses to be framed.
"""
