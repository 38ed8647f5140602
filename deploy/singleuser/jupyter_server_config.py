"""Each participant's single-user server under the hub: only Voilà, no terminals, idle kernels culled."""

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

c.ServerApp.terminals_enabled = False
# JupyterLab and the classic notebook are not for participants: their server serves the Voilà page only
c.ServerApp.jpserver_extensions = {"voila": True, "jupyterlab": False, "notebook": False, "jupyter_lsp": False}
c.MappingKernelManager.cull_idle_timeout = 300  # a kernel whose page is closed, after 5 idle minutes
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.ServerApp.shutdown_no_activity_timeout = 900  # the whole server, 15 minutes after its last activity
c.HTMLExporter.language_code = "ru"  # Voilà's page is Russian
