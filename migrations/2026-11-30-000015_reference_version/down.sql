DROP TRIGGER calendar_days_reference_changed ON calendar_days;
DROP TRIGGER calendar_years_reference_changed ON calendar_years;
DROP TRIGGER respondents_reference_changed ON respondents;
DROP TRIGGER organs_reference_changed ON organs;
DROP FUNCTION reference_data_changed();
DROP TABLE reference_version;
