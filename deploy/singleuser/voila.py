"""Voilà inside each participant's server: the project's Russian template and the `sferum app` pre-launch hook."""

from sferum_lib.app import TEMPLATE, prelaunch_hook

c = get_config()  # noqa: F821 - provided by Voilà when it loads this file

c.VoilaConfiguration.template = TEMPLATE
c.VoilaConfiguration.prelaunch_hook = prelaunch_hook  # the browser's cookie identifies the participant
c.VoilaConfiguration.show_tracebacks = False
