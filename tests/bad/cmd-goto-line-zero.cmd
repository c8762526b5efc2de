step
goto line 0
