mode fast
