break line -1
