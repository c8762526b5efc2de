info nothing
