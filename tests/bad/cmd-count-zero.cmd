step 0
