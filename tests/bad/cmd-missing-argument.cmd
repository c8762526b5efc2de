step
translate
