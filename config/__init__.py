from config.settings import ROOT, Settings, get_settings

__all__ = ["ROOT", "Settings", "get_settings"]
