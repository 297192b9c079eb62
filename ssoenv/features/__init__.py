"""What the commands of the same name do (configure, populate, console, serve ...), without click."""
