-- The notice-formatter plugin a notice renders with ('': the built-in default formatter).
ALTER TABLE custom_notices ADD COLUMN formatter VARCHAR(255) NOT NULL DEFAULT '';
